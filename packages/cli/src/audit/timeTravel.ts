import { createPool } from '@supportstream/db';
import { openCheckpointHistory, type CheckpointHistory, type CheckpointSummary } from '@supportstream/pipeline';
import type { CommandContext } from '../commands.js';

/** Reads the pipeline's checkpoints (the same reader the gateway's time-travel routes use). */
async function withHistory<T>(context: CommandContext, use: (history: CheckpointHistory) => Promise<T>): Promise<T> {
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-audit' });
  try {
    return await use(openCheckpointHistory(pool));
  } finally {
    await pool.end();
  }
}

/** What a checkpoint records having run, as the CLI prints it: `(input)`, `(run start)` or the node. */
const ranAt = (summary: CheckpointSummary): string => (summary.kind === 'input' ? '(input)' : summary.kind === 'runStart' ? '(run start)' : (summary.node ?? '(run start)'));

function describeCheckpoint(summary: CheckpointSummary) {
  return {
    checkpointId: summary.checkpointId,
    parentCheckpointId: summary.parentCheckpointId,
    step: summary.step,
    createdAt: summary.createdAt,
    ran: ranAt(summary),
    next: [...summary.next],
    runId: summary.runId,
    requestId: summary.requestId,
    pendingApproval: summary.pendingApprovalId,
  };
}

/** `audit checkpoints <conversationId>`: the thread's checkpoints, oldest first. */
export async function auditCheckpointsCommand(context: CommandContext, conversationId: string, options: { json?: boolean; limit?: number }): Promise<number> {
  const limit = options.limit ?? 500;
  const { checkpoints, truncated } = await withHistory(context, (history) => history.list(conversationId, { limit }));
  if (checkpoints.length === 0) {
    (context.printError ?? context.print)(`no checkpoints for conversation ${conversationId}: unknown conversation, or its thread was never started`);
    return 1;
  }
  const rows = checkpoints.map(describeCheckpoint);
  if (options.json) {
    context.print(JSON.stringify(rows));
    return 0;
  }
  context.print(`conversation ${conversationId}: ${rows.length} checkpoint(s), oldest first${truncated ? ` (the newest ${rows.length}; --limit shows more)` : ''}`);
  context.print(['step'.padEnd(5), 'checkpoint'.padEnd(37), 'parent'.padEnd(37), 'ran'.padEnd(12), 'next'.padEnd(12), 'created'.padEnd(25), 'request'].join(' '));
  for (const row of rows) {
    context.print(
      [
        String(row.step ?? '?').padEnd(5),
        row.checkpointId.padEnd(37),
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
  const snapshot = await withHistory(context, (history) => history.state(conversationId, options.checkpoint));
  if (snapshot === undefined) {
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
    `conversation ${conversationId} at checkpoint ${header.checkpointId} (step ${header.step ?? '?'}, ${header.createdAt ?? '?'}), parent ${header.parentCheckpointId ?? '—'}`,
  );
  context.print(`ran: ${header.ran}; next: ${header.next.join(', ') || '(end)'}${header.pendingApproval ? `; awaiting approval ${header.pendingApproval}` : ''}`);
  for (const [channel, value] of Object.entries(snapshot.values)) context.print(`${channel}: ${clip(JSON.stringify(value) ?? 'undefined')}`);
  return 0;
}
