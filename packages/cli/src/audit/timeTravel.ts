import { createPool } from '@supportstream/db';
import { buildSupportGraph, currentRunId, readThread, threadHistory, type SupportGraph, type ThreadSnapshot } from '@supportstream/graph';
import { createCheckpointer } from '@supportstream/pipeline';
import type { CommandContext } from '../commands.js';

/** A graph that only reads checkpoints: it hosts no node. */
async function withGraph<T>(context: CommandContext, use: (graph: SupportGraph) => Promise<T>): Promise<T> {
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-audit' });
  try {
    return await use(buildSupportGraph({ nodes: {}, checkpointer: await createCheckpointer(pool) }));
  } finally {
    await pool.end();
  }
}

/**
 * What a checkpoint records having run: the input checkpoint of a run (LangGraph's `__start__`
 * task is pending) holds the previous run's state, and the first loop checkpoint of a run has no
 * step yet; every later one carries the node that produced it in `lastStep`.
 */
function ranAt(snapshot: ThreadSnapshot): string {
  if (snapshot.next.includes('__start__') || snapshot.tasks.includes('__start__')) return '(input)';
  return snapshot.values.lastStep?.node ?? '(run start)';
}

const pendingApproval = (snapshot: ThreadSnapshot): string | null => {
  const value = snapshot.interrupts[0] as { approvalId?: unknown } | undefined;
  return typeof value?.approvalId === 'string' ? value.approvalId : null;
};

function describeCheckpoint(snapshot: ThreadSnapshot) {
  const ran = ranAt(snapshot);
  // An input checkpoint still holds the previous run's values: its run starts at the next one.
  const input = ran === '(input)';
  return {
    checkpointId: snapshot.checkpointId ?? null,
    parentCheckpointId: snapshot.parentCheckpointId ?? null,
    step: snapshot.step ?? null,
    createdAt: snapshot.createdAt ?? null,
    ran,
    next: [...snapshot.next],
    runId: input ? null : currentRunId(snapshot.values) || null,
    requestId: input ? null : (snapshot.values.request?.requestId ?? null),
    pendingApproval: pendingApproval(snapshot),
  };
}

/** `audit checkpoints <conversationId>`: the thread's checkpoints, oldest first. */
export async function auditCheckpointsCommand(context: CommandContext, conversationId: string, options: { json?: boolean; limit?: number }): Promise<number> {
  const limit = options.limit ?? 500;
  const snapshots = await withGraph(context, async (graph) => {
    const newestFirst: ThreadSnapshot[] = [];
    for await (const snapshot of threadHistory(graph, conversationId, limit)) newestFirst.push(snapshot);
    return newestFirst.reverse();
  });
  if (snapshots.length === 0) {
    (context.printError ?? context.print)(`no checkpoints for conversation ${conversationId}: unknown conversation, or its thread was never started`);
    return 1;
  }
  const rows = snapshots.map(describeCheckpoint);
  if (options.json) {
    context.print(JSON.stringify(rows));
    return 0;
  }
  context.print(`conversation ${conversationId}: ${rows.length} checkpoint(s), oldest first${rows.length === limit ? ` (the newest ${limit}; --limit shows more)` : ''}`);
  context.print(['step'.padEnd(5), 'checkpoint'.padEnd(37), 'parent'.padEnd(37), 'ran'.padEnd(12), 'next'.padEnd(12), 'created'.padEnd(25), 'request'].join(' '));
  for (const row of rows) {
    context.print(
      [
        String(row.step ?? '?').padEnd(5),
        (row.checkpointId ?? '?').padEnd(37),
        (row.parentCheckpointId ?? '—').padEnd(37),
        row.ran.padEnd(12),
        (row.next.join(',') || '(end)').padEnd(12),
        (row.createdAt ?? '?').padEnd(25),
        row.requestId ?? '—',
        ...(row.pendingApproval ? [`awaiting approval ${row.pendingApproval}`] : []),
      ].join(' '),
    );
  }
  return 0;
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `audit state <conversationId> [--checkpoint id]`: the graph state at a checkpoint (default: the latest). */
export async function auditStateCommand(context: CommandContext, conversationId: string, options: { checkpoint?: string; json?: boolean }): Promise<number> {
  const snapshot = await withGraph(context, (graph) => readThread(graph, conversationId, options.checkpoint));
  // LangGraph answers an unknown thread or checkpoint with an empty snapshot that was never written.
  if (snapshot.checkpointId === undefined || snapshot.createdAt === undefined) {
    (context.printError ?? context.print)(
      options.checkpoint === undefined
        ? `no checkpoints for conversation ${conversationId}: unknown conversation, or its thread was never started`
        : `conversation ${conversationId} has no checkpoint ${options.checkpoint} (see \`audit checkpoints ${conversationId}\`)`,
    );
    return 1;
  }
  const header = describeCheckpoint(snapshot);
  if (options.json) {
    context.print(JSON.stringify({ conversationId, ...header, tasks: snapshot.tasks, interrupts: snapshot.interrupts, values: snapshot.values }));
    return 0;
  }
  context.print(
    `conversation ${conversationId} at checkpoint ${header.checkpointId ?? '?'} (step ${header.step ?? '?'}, ${header.createdAt ?? '?'}), parent ${header.parentCheckpointId ?? '—'}`,
  );
  context.print(`ran: ${header.ran}; next: ${header.next.join(', ') || '(end)'}${header.pendingApproval ? `; awaiting approval ${header.pendingApproval}` : ''}`);
  for (const [channel, value] of Object.entries(snapshot.values)) context.print(`${channel}: ${clip(JSON.stringify(value) ?? 'undefined')}`);
  return 0;
}
