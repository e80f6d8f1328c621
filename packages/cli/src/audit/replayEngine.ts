import { cachedModels, configuredSecrets, createAgentNodes, inMemoryCallCache } from '@supportstream/agents';
import { createEventFactory, type SupportEvent } from '@supportstream/events';
import { buildSupportGraph, isNodeName, type RequestInfo, type SupportGraphOptions, type ThreadSnapshot } from '@supportstream/graph';
import { createModelResolver, PgAgentSettingsStore } from '@supportstream/llm';
import { embedderFromConfig, redisSessionMemory, vectorStoreFromConfig } from '@supportstream/memory';
import type { Logger } from '@supportstream/observability';
import { createStepRunner, runIdOf, stepEvents } from '@supportstream/pipeline';
import { createAgentRuntime, type AgentServiceEnv } from '@supportstream/platform';
import { createAgentTools, postgresCrmDirectory } from '@supportstream/tools';
import { sessionMemoryAsOf, vectorStoreAsOf } from './isolatedMemory.js';
import { summarizeRun, type ReportOutcome, type ShadowSummary } from './runComparison.js';

export type RequestReceived = SupportEvent<'RequestReceived'>;

export interface ReplayResult extends ShadowSummary {
  /** The events the run produced, in order, exactly as the services would have published them. */
  readonly events: readonly SupportEvent[];
}

/**
 * Runs customer requests through the current graph, node implementations and model settings in
 * this process, one thread per call, and returns the events each run produced instead of
 * publishing them: the caller decides where they go (shadow topics for a what-if replay).
 */
export interface ReplayEngine {
  /** Runs `request` on `threadId` until the graph ends or pauses for approval (never resumed). */
  run(request: RequestReceived, threadId: string): Promise<ReplayResult>;
  /** Deletes a thread's checkpoints, pending writes and blobs. */
  deleteThread(threadId: string): Promise<void>;
  /** Waits (at most `maxWaitMs`) for steps abandoned by a timed-out run, so their checkpoints can be deleted after them. */
  settle(maxWaitMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface ReplayEngineOptions {
  readonly env: AgentServiceEnv;
  readonly logger: Logger;
  /** `producer` of the events the runs produce. */
  readonly producer: string;
  /** One run (all its steps) gives up after this long and counts as TIMEOUT. */
  readonly runTimeoutMs?: number;
  readonly maxSteps?: number;
  /** The escalation policy; the graph's default unless given. */
  readonly policy?: SupportGraphOptions['policy'];
}

class RunTimeout extends Error {}

const isRunning = (snapshot: ThreadSnapshot): boolean => snapshot.next.length > 0 || snapshot.tasks.length > 0;

export function requestInfoOf(request: RequestReceived, threadId: string): RequestInfo {
  return {
    requestId: request.metadata.requestId,
    // The step runner keys the thread (and its lock) by the conversation id of the request.
    conversationId: threadId,
    tenantId: request.metadata.tenantId,
    customerId: request.data.customerId,
    customerTier: request.data.customerTier,
    channel: request.data.channel,
    subject: request.data.subject,
    message: request.data.message,
    correlationId: request.metadata.correlationId,
    receivedEventId: request.metadata.eventId,
    receivedAt: request.metadata.occurredAt.toISOString(),
  };
}

/**
 * The nodes are built the way the services build them (createAgentNodes over the models from the
 * settings in PostgreSQL, the vector store, the CRM tools), except that memory is read as of the
 * request's arrival and never written, and model answers are cached in memory, not in
 * llm_call_cache: a replay leaves nothing behind but its own checkpoints.
 */
export async function createReplayEngine(options: ReplayEngineOptions): Promise<ReplayEngine> {
  const { env, logger } = options;
  const runtime = await createAgentRuntime(env, 'supportstream-replay', logger);
  const resolver = createModelResolver({ store: new PgAgentSettingsStore({ pool: runtime.pool }), canary: runtime.canary });
  const models = cachedModels(resolver, inMemoryCallCache());
  const sessions = redisSessionMemory({ redis: runtime.redis, ttlSeconds: env.SESSION_TTL_SECONDS, maxInteractions: env.SESSION_MAX_INTERACTIONS });
  const store = vectorStoreFromConfig(env, { pool: runtime.pool });
  const embedder = embedderFromConfig(env);
  const tools = createAgentTools({ crm: postgresCrmDirectory(runtime.pool) });
  const factory = createEventFactory({ producer: options.producer });
  const runTimeoutMs = options.runTimeoutMs ?? 60_000;
  const abandoned = new Set<Promise<unknown>>();
  const maxSteps = options.maxSteps ?? 30;

  function graphAsOf(asOf: string) {
    const nodes = createAgentNodes({
      models,
      tone: async (tenantId) => (await resolver.resolve({ task: 'draft', tenantId })).settings.tone,
      sessions: sessionMemoryAsOf(sessions, asOf),
      store: vectorStoreAsOf(store, asOf),
      embedder,
      tools,
      terminal: { approvalTtlMs: env.APPROVAL_TTL_MS },
      guardrails: { canary: runtime.canary, secrets: configuredSecrets(process.env) },
    });
    return buildSupportGraph({ nodes, checkpointer: runtime.checkpointer, expiryPath: env.APPROVAL_EXPIRY_PATH, ...(options.policy ? { policy: options.policy } : {}) });
  }

  async function run(request: RequestReceived, threadId: string): Promise<ReplayResult> {
    const deadline = Date.now() + runTimeoutMs;
    const events: SupportEvent[] = [];
    const runId = runIdOf(request.metadata.requestId);
    const finish = (incomplete?: { outcome: ReportOutcome; error?: string }): ReplayResult => {
      const summary = summarizeRun(events, runId);
      if (!incomplete) return { ...summary, threadId, events };
      return { ...summary, outcome: incomplete.outcome, automatedOutcome: incomplete.outcome, threadId, events, ...(incomplete.error ? { error: incomplete.error } : {}) };
    };
    /** Steps cannot be cancelled; a step that overruns the deadline is abandoned, its thread deleted with the others. */
    const within = <T>(work: Promise<T>): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const settled: Promise<unknown> = work.then(
        (): boolean => abandoned.delete(settled),
        (): boolean => abandoned.delete(settled),
      );
      return Promise.race([
        work,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            abandoned.add(settled);
            reject(new RunTimeout(`the run took longer than ${runTimeoutMs} ms`));
          }, Math.max(0, deadline - Date.now()));
        }),
      ]).finally(() => clearTimeout(timer));
    };

    const graph = graphAsOf(request.metadata.occurredAt.toISOString());
    const runner = createStepRunner({ graph, pool: runtime.lockPool });
    try {
      // The previous request of this conversation paused for approval: this one would wait behind it.
      if (isRunning(await runner.readThread(threadId))) return finish({ outcome: 'QUEUED', error: 'queued behind a run that awaits approval' });
      const started = await within(runner.startRun(requestInfoOf(request, threadId)));
      if (started.kind === 'queued') return finish({ outcome: 'QUEUED', error: 'queued behind a run in flight' });
      let snapshot = started.snapshot;
      let trigger: SupportEvent = request;
      for (let steps = 0; snapshot.next.length > 0; steps += 1) {
        const node = snapshot.next[0] ?? '';
        if (steps >= maxSteps || !isNodeName(node)) return finish({ outcome: 'ERROR', error: steps >= maxSteps ? `more than ${maxSteps} steps` : `unknown node ${node}` });
        const outcome = await within(runner.runStep(threadId, node, snapshot.checkpointId ?? ''));
        const produced = stepEvents(outcome, trigger, factory);
        events.push(...produced);
        if (outcome.kind === 'paused') return finish();
        if (outcome.kind === 'stale') return finish({ outcome: 'ERROR', error: `step ${node} was stale` });
        // Each step is caused by the previous one's AgentStepCompleted, as between the services.
        trigger = produced.find((event) => event.type === 'AgentStepCompleted') ?? trigger;
        snapshot = outcome.snapshot;
      }
      return finish();
    } catch (error) {
      if (error instanceof RunTimeout) return finish({ outcome: 'TIMEOUT', error: error.message });
      logger.warn({ err: error, threadId }, 'replayed run failed');
      return finish({ outcome: 'ERROR', error: error instanceof Error ? error.message : String(error) });
    }
  }

  return {
    run,
    deleteThread: (threadId) => runtime.checkpointer.deleteThread(threadId),
    async settle(maxWaitMs) {
      if (abandoned.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...abandoned]), new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
      clearTimeout(timer);
    },
    close: () => runtime.close(),
  };
}
