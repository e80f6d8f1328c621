import { Command, type BaseCheckpointSaver } from '@langchain/langgraph';
import { withAdvisoryLock } from '@supportstream/db';
import { stableId } from '@supportstream/events';
import { readThread, runStartInput, withoutUnchanged, threadConfig, threadHistory, type ApprovalResume, type NodeName, type RequestInfo, type SupportGraph, type ThreadSnapshot } from '@supportstream/graph';
import type pg from 'pg';
import {
  decideResume,
  decideStart,
  decideStep,
  isDecisionOf,
  isRunBeginning,
  needsHistory,
  ranOrPaused,
  resumeNeedsHistory,
  startNeedsHistory,
  type ResumeDecision,
  type StepTrigger,
} from './decideStep.js';

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
  /**
   * On the step that ended the run: whether a follow-up waits in the queue (read in the step's
   * lock, so none can be queued after it unseen). The RunCompleted's routing says so, and only
   * then does the service that starts runs look at the queue.
   */
  readonly followUpQueued?: boolean;
}

/**
 * started: a new run waits before `moderate`; existing: this request's run began earlier; queued:
 * another run is in flight. `steps`: what ran (or was re-announced) from the beginning in the same
 * lock, when the caller asked for it.
 */
export interface StartOutcome {
  readonly kind: 'started' | 'existing' | 'queued';
  readonly snapshot: ThreadSnapshot;
  readonly steps?: readonly StepOutcome[];
}

export interface StartOptions {
  /** Run `moderate` right away, then the nodes this accepts while the graph leads to them, in the same lock. */
  readonly chain?: (node: NodeName) => boolean;
}

/** A decision on an approval: the steps it resumed (or re-announced), or why it was refused. */
export type ResumeOutcome =
  | { readonly kind: 'resumed'; readonly steps: readonly StepOutcome[]; readonly requestedAt: string | undefined }
  | { readonly kind: 'refused'; readonly reason: 'already_decided' | 'unknown_approval'; readonly message: string };

export interface RunStepsOptions {
  readonly resume?: ApprovalResume;
  /** Nodes that may run right after the step, in the same lock, when the graph goes on to them. */
  readonly chain?: (node: NodeName) => boolean;
}

export interface ResumeOptions {
  readonly chain?: (node: NodeName) => boolean;
  /** Told the checkpoint the run waits at before it is resumed (a failure is reported against it). */
  readonly onResuming?: (fromCheckpointId: string) => void;
}

export interface StepRunner {
  /** Starts the request's run on its conversation's thread, or queues it behind the run in flight. */
  startRun(request: RequestInfo, options?: StartOptions): Promise<StartOutcome>;
  /** After a run ended: starts the oldest queued follow-up of the conversation, if any. */
  startNextQueued(threadId: string, options?: StartOptions): Promise<StartOutcome | undefined>;
  /** Runs `node` if the thread waits before it at `fromCheckpointId`; otherwise replays or reports stale. */
  runStep(threadId: string, node: NodeName, fromCheckpointId: string, resume?: ApprovalResume): Promise<StepOutcome>;
  /**
   * Like runStep, then goes on with the nodes `chain` accepts while the graph leads to them: one
   * lock for all of them, each step still its own checkpoint (and a replay of each on a redelivery).
   */
  runSteps(threadId: string, node: NodeName, fromCheckpointId: string, options?: RunStepsOptions): Promise<StepOutcome[]>;
  /** Resumes the run waiting at `approvalId` with a decision (then the steps `chain` accepts). */
  resumeApproval(threadId: string, approvalId: string, decision: ApprovalResume, options?: ResumeOptions): Promise<ResumeOutcome>;
  readThread(threadId: string): Promise<ThreadSnapshot>;
}

/** A checkpointer that can run its queries on the caller's connection (one transaction per step). */
export interface ScopedSaver {
  runOn<T>(client: pg.ClientBase, fn: () => Promise<T>, options?: { readonly memo?: boolean }): Promise<T>;
}

export const isScopedSaver = (saver: unknown): saver is ScopedSaver => typeof (saver as Partial<ScopedSaver> | null)?.runOn === 'function';

export interface StepRunnerOptions {
  readonly graph: SupportGraph;
  /** Pool for the per-thread advisory lock and the follow-up queue (and the checkpoints, when the saver can share the connection). */
  readonly pool: pg.Pool;
  readonly clock?: () => Date;
  /** How far back a redelivered trigger looks for the step it caused. */
  readonly historyLimit?: number;
}

export const runIdOf = (requestId: string): string => stableId('run', requestId);

/** The longest chain a trigger may run under one lock (the graph's longest path is shorter). */
const MAX_CHAIN = 16;

/**
 * Advances conversations one checkpointed step at a time. Every operation is one transaction that
 * holds the thread's advisory lock, so two workers never run steps of one conversation at once,
 * and a follow-up that arrives during a run is queued in the same transaction that saw the run in
 * flight. With a saver that shares the connection, the checkpoint reads and writes are in that
 * transaction too: a step commits whole (its checkpoint) or not at all. On the happy path a step
 * reads the latest checkpoint once; the history is searched only for a redelivered trigger.
 */
export function createStepRunner(options: StepRunnerOptions): StepRunner {
  const { graph, pool } = options;
  const clock = options.clock ?? (() => new Date());
  const historyLimit = options.historyLimit ?? 200;
  const saver = graph.checkpointer as BaseCheckpointSaver | undefined;
  const locked = <T>(threadId: string, fn: (client: pg.ClientBase) => Promise<T>) =>
    // With a saver that shares the connection, the lock, the checkpoint reads and writes are one
    // transaction; the memo serves the re-reads of the checkpoint this lock just read or wrote.
    withAdvisoryLock(pool, `thread:${threadId}`, (client) => (isScopedSaver(saver) ? saver.runOn(client, () => fn(client), { memo: true }) : fn(client)));
  // "exit": the invoke writes the step's checkpoint once when it ends (no separate pending-writes
  // transaction); a crash before that re-runs the step, which the call cache makes free.
  const invokeConfig = (threadId: string, extra: Record<string, unknown> = {}) => ({ ...threadConfig(threadId, extra), durability: 'exit' as const });

  /** The history of one operation, read at most once (newest first). */
  function historyOf(threadId: string) {
    let loaded: Promise<ThreadSnapshot[]> | undefined;
    const all = async () => {
      loaded ??= (async () => {
        const snapshots: ThreadSnapshot[] = [];
        for await (const snapshot of threadHistory(graph, threadId, historyLimit)) snapshots.push(snapshot);
        return snapshots;
      })();
      return loaded;
    };
    return { find: async (predicate: (snapshot: ThreadSnapshot) => boolean) => (await all()).find(predicate) };
  }

  /** A run start that crashed after writing its input but before the first loop checkpoint is completed first (older writes only). */
  async function settled(threadId: string, latest: ThreadSnapshot): Promise<ThreadSnapshot> {
    if (!latest.tasks.includes('__start__')) return latest;
    await graph.invoke(null, invokeConfig(threadId));
    return readThread(graph, threadId);
  }

  async function begin(request: RequestInfo, latest: ThreadSnapshot): Promise<StartOutcome> {
    const threadId = request.conversationId;
    const input = withoutUnchanged(runStartInput(runIdOf(request.requestId), request, [], clock().toISOString()), latest.checkpointId === undefined ? undefined : latest.values);
    await graph.invoke(input, invokeConfig(threadId));
    return { kind: 'started', snapshot: await readThread(graph, threadId) };
  }

  /** Decides and performs a start, then (when asked) the run's first steps, inside the thread's lock. */
  async function startLocked(client: pg.ClientBase, request: RequestInfo, latest: ThreadSnapshot, history: ReturnType<typeof historyOf>, startOptions: StartOptions): Promise<StartOutcome> {
    const outcome = await decideAndStart(client, request, latest, history);
    const from = outcome.snapshot.checkpointId;
    if (outcome.kind === 'queued' || !startOptions.chain || from === undefined) return outcome;
    return { ...outcome, steps: await stepsLocked(client, request.conversationId, { node: 'moderate', fromCheckpointId: from }, startOptions.chain, history) };
  }

  async function decideAndStart(client: pg.ClientBase, request: RequestInfo, latest: ThreadSnapshot, history: ReturnType<typeof historyOf>): Promise<StartOutcome> {
    const beginning = startNeedsHistory(request, latest) ? await history.find(isRunBeginning(request)) : undefined;
    const decision = decideStart(request, latest, beginning);
    switch (decision.kind) {
      case 'start':
        return begin(request, latest);
      case 'existing':
        // A beginning the history no longer holds has nothing left to re-announce.
        return { kind: 'existing', snapshot: decision.beginning ?? { ...latest, checkpointId: undefined } };
      case 'queue':
        await client.query(
          `INSERT INTO conversation_queue (conversation_id, request_id, request) VALUES ($1, $2, $3)
           ON CONFLICT (request_id) DO NOTHING`,
          [request.conversationId, request.requestId, JSON.stringify(request)],
        );
        return { kind: 'queued', snapshot: latest };
      default: {
        const unreachable: never = decision;
        return unreachable;
      }
    }
  }

  /** One step and then the chained ones, inside the thread's lock. */
  async function stepsLocked(client: pg.ClientBase, threadId: string, first: StepTrigger, chain: (node: NodeName) => boolean, history: ReturnType<typeof historyOf>): Promise<StepOutcome[]> {
    const outcomes: StepOutcome[] = [];
    let trigger: StepTrigger | undefined = first;
    let latest = await readThread(graph, threadId);
    while (trigger && outcomes.length < MAX_CHAIN) {
      const child = needsHistory(trigger, latest) ? await history.find((snapshot) => snapshot.parentCheckpointId === trigger?.fromCheckpointId) : undefined;
      const decision = decideStep(trigger, latest, child);
      let outcome: StepOutcome;
      if (decision.kind === 'run') {
        await graph.invoke(trigger.resume ? new Command({ resume: trigger.resume }) : null, invokeConfig(threadId));
        latest = await readThread(graph, threadId);
        outcome = { kind: ranOrPaused(trigger, latest), node: trigger.node, snapshot: latest };
      } else {
        outcome = { kind: decision.kind === 'replay' ? 'replayed' : decision.kind, node: trigger.node, snapshot: decision.snapshot };
      }
      trigger = nextInChain(outcome, chain);
      if (!trigger && endsRun(outcome)) outcome = { ...outcome, followUpQueued: await hasQueued(client, threadId) };
      outcomes.push(outcome);
    }
    return outcomes;
  }

  return {
    readThread: (threadId) => readThread(graph, threadId),

    startRun: (request, startOptions = {}) =>
      locked(request.conversationId, async (client) => {
        const latest = await settled(request.conversationId, await readThread(graph, request.conversationId));
        return startLocked(client, request, latest, historyOf(request.conversationId), startOptions);
      }),

    startNextQueued: (threadId, startOptions = {}) =>
      locked(threadId, async (client) => {
        const latest = await settled(threadId, await readThread(graph, threadId));
        if (latest.next.length > 0 || latest.tasks.length > 0) return undefined;
        const queued = await client.query<{ request: RequestInfo }>(
          `DELETE FROM conversation_queue WHERE request_id = (
             SELECT request_id FROM conversation_queue WHERE conversation_id = $1 ORDER BY enqueued_at, request_id LIMIT 1
           ) RETURNING request`,
          [threadId],
        );
        const request = queued.rows[0]?.request;
        if (!request) return undefined;
        const outcome = await startLocked(client, request, latest, historyOf(threadId), startOptions);
        return outcome.kind === 'queued' ? undefined : outcome;
      }),

    runStep: async (threadId, node, fromCheckpointId, resume) => {
      const [outcome] = await locked(threadId, (client) => stepsLocked(client, threadId, { node, fromCheckpointId, resume }, () => false, historyOf(threadId)));
      if (!outcome) throw new Error(`no outcome for ${node} on ${threadId}`);
      return outcome;
    },

    runSteps: (threadId, node, fromCheckpointId, runOptions = {}) =>
      locked(threadId, (client) => stepsLocked(client, threadId, { node, fromCheckpointId, resume: runOptions.resume }, runOptions.chain ?? (() => false), historyOf(threadId))),

    resumeApproval: (threadId, approvalId, decision, resumeOptions = {}) =>
      locked(threadId, async (client): Promise<ResumeOutcome> => {
        const chain = resumeOptions.chain ?? (() => false);
        const history = historyOf(threadId);
        const latest = await readThread(graph, threadId);
        const resumed = resumeNeedsHistory(approvalId, latest) ? await history.find(isDecisionOf(approvalId)) : undefined;
        const verdict: ResumeDecision = decideResume(approvalId, decision.decisionEventId, latest, resumed);
        switch (verdict.kind) {
          case 'resume': {
            resumeOptions.onResuming?.(verdict.fromCheckpointId);
            const steps = await stepsLocked(client, threadId, { node: 'escalate', fromCheckpointId: verdict.fromCheckpointId, resume: decision }, chain, history);
            return { kind: 'resumed', steps, requestedAt: verdict.request.requestedAt };
          }
          case 'replay': {
            const replayed: StepOutcome = { kind: 'replayed', node: 'escalate', snapshot: verdict.snapshot };
            const next = nextInChain(replayed, chain);
            const rest = next ? await stepsLocked(client, threadId, next, chain, history) : [];
            return { kind: 'resumed', steps: [replayed, ...rest], requestedAt: undefined };
          }
          case 'refuse':
            return {
              kind: 'refused',
              reason: verdict.reason,
              message:
                verdict.reason === 'already_decided'
                  ? `approval ${approvalId} was already ${String(verdict.decision).toLowerCase()} by ${verdict.decidedBy ?? 'someone'}`
                  : `no run of conversation ${threadId} waits for approval ${approvalId}`,
            };
          default: {
            const unreachable: never = verdict;
            return unreachable;
          }
        }
      }),
  };
}

/** A step that ran (or is re-announced) and left the thread with nothing to do: the run ended there. */
const endsRun = (outcome: StepOutcome): boolean => (outcome.kind === 'ran' || outcome.kind === 'replayed') && outcome.snapshot.next.length === 0 && outcome.snapshot.tasks.length === 0;

async function hasQueued(client: pg.ClientBase, threadId: string): Promise<boolean> {
  const result = await client.query<{ queued: boolean }>('SELECT EXISTS (SELECT 1 FROM conversation_queue WHERE conversation_id = $1) AS queued', [threadId]);
  return result.rows[0]?.queued === true;
}

/** The step that follows an outcome in the same lock, if the graph goes on to a node the chain accepts. */
function nextInChain(outcome: StepOutcome, chain: (node: NodeName) => boolean): StepTrigger | undefined {
  if (outcome.kind !== 'ran' && outcome.kind !== 'replayed') return undefined;
  const next = outcome.snapshot.next[0] as NodeName | undefined;
  const checkpointId = outcome.snapshot.checkpointId;
  if (next === undefined || checkpointId === undefined || !chain(next)) return undefined;
  return { node: next, fromCheckpointId: checkpointId };
}
