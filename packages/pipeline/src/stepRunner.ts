import { Command } from '@langchain/langgraph';
import { withAdvisoryLock } from '@supportstream/db';
import { stableId } from '@supportstream/events';
import { readThread, runStartInput, threadConfig, threadHistory, type ApprovalResume, type NodeName, type RequestInfo, type SupportGraph, type ThreadSnapshot } from '@supportstream/graph';
import type pg from 'pg';

/**
 * What happened when a trigger asked for a step:
 * - ran: the step ran now and was checkpointed;
 * - replayed: the step had already been checkpointed (a redelivery); nothing ran;
 * - paused: the node stopped at interrupt() (an approval is pending), now or earlier;
 * - stale: the thread is elsewhere (an older trigger, or a run that took another path).
 */
export interface StepOutcome {
  readonly kind: 'ran' | 'replayed' | 'paused' | 'stale';
  readonly node: NodeName;
  readonly snapshot: ThreadSnapshot;
}

/** started: a new run waits before `moderate`; existing: this request's run began earlier; queued: another run is in flight. */
export interface StartOutcome {
  readonly kind: 'started' | 'existing' | 'queued';
  readonly snapshot: ThreadSnapshot;
}

export interface StepRunner {
  /** Starts the request's run on its conversation's thread, or queues it behind the run in flight. */
  startRun(request: RequestInfo): Promise<StartOutcome>;
  /** After a run ended: starts the oldest queued follow-up of the conversation, if any. */
  startNextQueued(threadId: string): Promise<StartOutcome | undefined>;
  /** Runs `node` if the thread waits before it at `fromCheckpointId`; otherwise replays or reports stale. */
  runStep(threadId: string, node: NodeName, fromCheckpointId: string, resume?: ApprovalResume): Promise<StepOutcome>;
  readThread(threadId: string): Promise<ThreadSnapshot>;
}

export interface StepRunnerOptions {
  readonly graph: SupportGraph;
  /** Pool for the per-thread advisory lock and the follow-up queue. */
  readonly pool: pg.Pool;
  readonly clock?: () => Date;
  /** How far back a redelivered trigger looks for the step it caused. */
  readonly historyLimit?: number;
}

export const runIdOf = (requestId: string): string => stableId('run', requestId);

const isRunning = (snapshot: ThreadSnapshot): boolean => snapshot.next.length > 0 || snapshot.tasks.length > 0;
/** The checkpoint waits before `node`, or `node` ran and saved its writes but its checkpoint was not written. */
const isAt = (snapshot: ThreadSnapshot, node: string): boolean => snapshot.next.includes(node) || snapshot.tasks.includes(node);

/**
 * Advances conversations one checkpointed step at a time. Every operation holds the thread's
 * advisory lock, so two workers never run steps of one conversation at once, and a follow-up
 * that arrives during a run is queued in the same transaction that saw the run in flight.
 */
export function createStepRunner(options: StepRunnerOptions): StepRunner {
  const { graph, pool } = options;
  const clock = options.clock ?? (() => new Date());
  const historyLimit = options.historyLimit ?? 200;
  const locked = <T>(threadId: string, fn: (client: pg.ClientBase) => Promise<T>) => withAdvisoryLock(pool, `thread:${threadId}`, fn);

  async function findInHistory(threadId: string, predicate: (snapshot: ThreadSnapshot) => boolean): Promise<ThreadSnapshot | undefined> {
    for await (const snapshot of threadHistory(graph, threadId, historyLimit)) {
      if (predicate(snapshot)) return snapshot;
    }
    return undefined;
  }

  /** Where this request's run began, if it did: the checkpoint waiting before `moderate`. */
  const runBeginning = (request: RequestInfo) =>
    findInHistory(request.conversationId, (snapshot) => snapshot.values.request?.requestId === request.requestId && isAt(snapshot, 'moderate'));

  /** A run start that crashed after writing its input but before the first loop checkpoint is completed first. */
  async function settledThread(threadId: string): Promise<ThreadSnapshot> {
    const current = await readThread(graph, threadId);
    if (!current.tasks.includes('__start__')) return current;
    await graph.invoke(null, threadConfig(threadId));
    return readThread(graph, threadId);
  }

  async function start(request: RequestInfo): Promise<StartOutcome> {
    const threadId = request.conversationId;
    await graph.invoke(runStartInput(runIdOf(request.requestId), request, [], clock().toISOString()), threadConfig(threadId));
    return { kind: 'started', snapshot: await readThread(graph, threadId) };
  }

  return {
    readThread: (threadId) => readThread(graph, threadId),

    startRun: (request) =>
      locked(request.conversationId, async (client) => {
        const current = await settledThread(request.conversationId);
        const begun = await runBeginning(request);
        if (begun) return { kind: 'existing', snapshot: begun };
        if (isRunning(current)) {
          await client.query(
            `INSERT INTO conversation_queue (conversation_id, request_id, request) VALUES ($1, $2, $3)
             ON CONFLICT (request_id) DO NOTHING`,
            [request.conversationId, request.requestId, JSON.stringify(request)],
          );
          return { kind: 'queued', snapshot: current };
        }
        return start(request);
      }),

    startNextQueued: (threadId) =>
      locked(threadId, async (client) => {
        const current = await settledThread(threadId);
        if (isRunning(current)) return undefined;
        const queued = await client.query<{ request: RequestInfo }>(
          `SELECT request FROM conversation_queue WHERE conversation_id = $1 ORDER BY enqueued_at, request_id LIMIT 1`,
          [threadId],
        );
        const request = queued.rows[0]?.request;
        if (!request) return undefined;
        const begun = await runBeginning(request);
        const outcome: StartOutcome = begun ? { kind: 'existing', snapshot: begun } : await start(request);
        await client.query('DELETE FROM conversation_queue WHERE request_id = $1', [request.requestId]);
        return outcome;
      }),

    runStep: (threadId, node, fromCheckpointId, resume) =>
      locked(threadId, async () => {
        const current = await readThread(graph, threadId);
        if (current.checkpointId === fromCheckpointId && isAt(current, node)) {
          // Paused at interrupt() already: the approval request stands; only a decision moves on.
          if (current.interrupts.length > 0 && !resume) return { kind: 'paused', snapshot: current, node };
          await graph.invoke(resume ? new Command({ resume }) : null, threadConfig(threadId, { step_key: fromCheckpointId }));
          const after = await readThread(graph, threadId);
          return { kind: after.checkpointId === fromCheckpointId ? 'paused' : 'ran', snapshot: after, node };
        }
        // The step from this checkpoint already ran: its result is the child checkpoint.
        const child = await findInHistory(threadId, (snapshot) => snapshot.parentCheckpointId === fromCheckpointId);
        if (child && child.values.lastStep?.node === node) return { kind: 'replayed', snapshot: child, node };
        return { kind: 'stale', snapshot: current, node };
      }),
  };
}
