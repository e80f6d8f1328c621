import { runMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { createEventFactory, type SupportEvent } from '@supportstream/events';
import { buildSupportGraph, terminalNodes, type NodeImplementations, type NodeName } from '@supportstream/graph';
import type { HandlerContext } from '@supportstream/kafka';
import type { ModelResolver, RunTaskResult, TaskName } from '@supportstream/llm';
import { createMetricsRegistry } from '@supportstream/observability';
import { createAgentWorker, createCheckpointer, createStepRunner } from '@supportstream/pipeline';
import { distinctEvents, duplicateGroups, sampleContext, sampleEvent, SimulatedCrash, testLogger } from '@supportstream/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresCallCache, type CallKey } from './callCache.js';
import { cachedModels } from './models.js';

/** What one model call costs here: priced, so a call paid or billed twice shows in the sums. */
const PRICE_MICROS = 1_250;

let db: ScratchSchema;

beforeEach(async () => {
  db = await createScratchSchema('call_cache');
  await runMigrations(db.pool, { schema: db.schema });
});

afterEach(async () => {
  await db.drop();
});

/** A model that counts the calls it is paid for. */
function countingResolver() {
  const paid: TaskName[] = [];
  const outputs: Partial<Record<TaskName, unknown>> = {
    moderate: { verdict: 'allow', categories: [], reason: '' },
    triage: { category: 'shipping', priority: 'normal', sentiment: 'neutral', language: 'en', intent: 'question', confidence: 0.9, signals: [], refundAmount: null, orderId: null },
    draft: { reply: 'Your parcel is on its way.', citations: [], confidence: 0.9 },
    review: { score: 0.9, issues: [], verdict: 'pass' },
  };
  const resolver = {
    run: (task: TaskName) => {
      paid.push(task);
      const result: Partial<RunTaskResult<TaskName>> = {
        output: outputs[task] as never,
        usage: { promptTokens: 100, completionTokens: 20 },
        cost: { amountMicros: PRICE_MICROS, currency: 'USD' },
        latencyMs: 5,
        provider: 'fake',
        model: `m-${task}`,
      };
      return Promise.resolve(result);
    },
  } as unknown as ModelResolver;
  return { resolver, paid };
}

describe('the PostgreSQL step call cache', () => {
  it('misses an unknown call, keeps the first answer of a call, and tells calls apart by every part of their key', async () => {
    const cache = postgresCallCache(db.pool);
    const key: CallKey = { threadId: 'conv-1', stepKey: 'ckpt-1', node: 'triage', index: 0 };
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, { output: { a: 1 }, cost: { amountMicros: 7, currency: 'USD' } });
    // A second put of the same call (a concurrent re-run) does not replace the answer that was paid for.
    await cache.put(key, { output: { a: 2 } });
    expect(await cache.get(key)).toEqual({ output: { a: 1 }, cost: { amountMicros: 7, currency: 'USD' } });
    for (const other of [{ ...key, threadId: 'conv-2' }, { ...key, stepKey: 'ckpt-2' }, { ...key, node: 'solution' }, { ...key, index: 1 }]) {
      expect(await cache.get(other), JSON.stringify(other)).toBeUndefined();
    }
  });

  it('answers a re-run after a restart from PostgreSQL: paid once, recorded as cached', async () => {
    const { resolver, paid } = countingResolver();
    const context = (recorded: unknown[]) => ({ threadId: 'conv-1', node: 'moderate' as const, stepKey: 'ckpt-1', signal: undefined, recordLlmCall: (call: unknown) => recorded.push(call) });
    const first: unknown[] = [];
    await cachedModels(resolver, postgresCallCache(db.pool)).run(context(first), 't', 'moderate', { text: 'hi' });
    // Another process (new models, new pool) re-runs the same step.
    const second: unknown[] = [];
    await cachedModels(resolver, postgresCallCache(db.newPool())).run(context(second), 't', 'moderate', { text: 'hi' });
    expect(paid).toEqual(['moderate']);
    expect(first).toEqual([expect.objectContaining({ cached: false, costMicros: PRICE_MICROS, promptTokens: 100 })]);
    expect(second).toEqual([expect.objectContaining({ cached: true, costMicros: PRICE_MICROS, provider: 'fake', model: 'm-moderate' })]);
  });
});

describe('billing of a run whose step crashed after its model call (PostgreSQL checkpoints and call cache)', () => {
  it('bills every model call at most once: the re-run step’s LlmUsage says cached at no cost, and the run’s cost is the sum of its distinct LlmUsage', async () => {
    const { resolver, paid } = countingResolver();
    const models = cachedModels(resolver, postgresCallCache(db.pool));
    const crashed = new Set<NodeName>();
    const nodeCalls = new Map<NodeName, number>();
    // Minimal agents: each model-backed node asks its model once, as the real ones do.
    const modelNode =
      (node: NodeName, task: TaskName, update: (output: never) => Record<string, unknown>): NonNullable<NodeImplementations[NodeName]> =>
      async (state, context) => {
        nodeCalls.set(node, (nodeCalls.get(node) ?? 0) + 1);
        const output = await models.run(context, state.request?.tenantId ?? 't', task, { text: state.request?.message ?? '' });
        // The first run of moderate dies here: its call is paid, nothing of the step is saved.
        if (node === 'moderate' && !crashed.has(node)) {
          crashed.add(node);
          throw new SimulatedCrash('moderate, after its model call');
        }
        return { update: update(output as never), summary: node };
      };
    const nodes: NodeImplementations = {
      moderate: modelNode('moderate', 'moderate', (moderation) => ({ moderation })),
      triage: modelNode('triage', 'triage', (triageDecision) => ({ triageDecision })),
      research: () => Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Help', text: 'Answer.', score: 0.9 }] }, summary: 'found kb-1' }),
      solution: modelNode('solution', 'draft', (draft) => ({ draft, proposedActions: [] })),
      quality: modelNode('quality', 'review', (review) => ({ review })),
      ...terminalNodes({ approvalTtlMs: 60_000 }),
    };
    const graph = buildSupportGraph({ nodes, checkpointer: await createCheckpointer(db.pool, db.schema) });
    const runner = createStepRunner({ graph, pool: db.newPool({ max: 4 }) });
    const published: SupportEvent[] = [];
    const producer = {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      publish: (events: readonly SupportEvent[]) => {
        published.push(...events);
        return Promise.resolve([]);
      },
    };
    const logger = testLogger();
    const worker = createAgentWorker({
      service: 'all-in-one',
      nodes: ['moderate', 'triage', 'research', 'solution', 'quality', 'respond', 'escalate', 'handoff', 'fallback'],
      startsRuns: true,
      runner,
      producer,
      factory: createEventFactory({ producer: 'call-cache-test' }),
      logger,
      metrics: createMetricsRegistry({}, false),
    });
    const context: HandlerContext = { topic: 'test', partition: 0, offset: '0', headers: {}, schemaId: 0, attempt: 1, signal: new AbortController().signal, logger };
    /** Hands one trigger to the worker, as its consumer would. */
    const deliver = async (event: SupportEvent) => {
      const handler = worker.handlers[event.type] as ((event: SupportEvent, context: HandlerContext) => Promise<void>) | undefined;
      await handler?.(event, context);
    };

    const request = sampleEvent('RequestReceived', sampleContext(), { message: 'Where is my parcel?', customerTier: 'STANDARD' });
    await expect(deliver(request)).rejects.toThrow(SimulatedCrash);
    // Redelivered after the "restart"; then every trigger it causes, in order, until the run ends.
    const triggers: SupportEvent[] = [request];
    await deliver(request);
    for (let index = 0; index < published.length && index < 200; index += 1) {
      const event = published[index]!;
      if (event.type === 'AgentStepCompleted' || event.type === 'RunCompleted') {
        triggers.push(event);
        await deliver(event);
      }
    }
    expect(published.some((event) => event.type === 'RunCompleted')).toBe(true);
    // Every trigger delivered once more (a consumer that lost its offsets): all replays.
    for (const trigger of triggers) await deliver(trigger);

    const usage = distinctEvents(published).flatMap((event) => (event.type === 'LlmUsage' ? [event] : []));
    expect(usage.map((event) => event.data.node)).toEqual(['moderate', 'triage', 'solution', 'quality']);
    // The node ran twice, its model call was paid once.
    expect(nodeCalls.get('moderate')).toBe(2);
    expect(paid).toEqual(['moderate', 'triage', 'draft', 'review']);
    const moderate = usage.find((event) => event.data.node === 'moderate');
    expect(moderate?.data).toMatchObject({ cached: true, cost: { amountMicros: 0, currency: 'USD' } });
    for (const event of usage.filter((other) => other !== moderate)) expect(event.data).toMatchObject({ cached: false, cost: { amountMicros: PRICE_MICROS } });

    // The run's figures are the sums of its distinct LlmUsage, never more than what was paid.
    const outcomes = distinctEvents(published).flatMap((event) => (event.type === 'RequestOutcome' ? [event] : []));
    expect(outcomes).toHaveLength(1);
    const billed = usage.reduce((sum, event) => sum + event.data.cost.amountMicros, 0);
    expect(outcomes[0]?.data.totalCost.amountMicros).toBe(billed);
    expect(outcomes[0]?.data.llmCalls).toBe(usage.length);
    expect(billed).toBeLessThanOrEqual(paid.length * PRICE_MICROS);
    // Re-emitted copies are identical, so counting by id (as the analytics do) bills once.
    const copies = duplicateGroups(published);
    expect(copies.some((group) => group[0]?.type === 'LlmUsage'), 'the replays re-emitted LlmUsage').toBe(true);
    for (const group of copies) for (const copy of group.slice(1)) expect(copy).toEqual(group[0]);
  });
});
