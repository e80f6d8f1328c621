import { MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { cachedModels, postgresCallCache } from '@supportstream/agents';
import { runMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { buildSupportGraph, runStartInput, runUsageOf, type NodeImplementations, type NodeName, type RequestInfo, type SupportGraph } from '@supportstream/graph';
import type { ModelResolver, RunTaskResult, TaskName } from '@supportstream/llm';
import { injectFaults, SimulatedCrash, type FaultInjector } from '@supportstream/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptedNodes } from '../test/scriptedNodes.js';
import { createCheckpointer } from './checkpointer.js';
import { createStepRunner, runIdOf, type StepRunner } from './stepRunner.js';

/**
 * The crash windows inside a step, on every checkpointer the step runner may run on. A crash is
 * a fault-injected call (a test-only decorator of the saver, or of a node) that fails where a
 * killed process would stop; the "restart" is the next call of the same runner, which, like a
 * new process, knows only what PostgreSQL (or the saver) kept.
 */
interface SaverCase {
  readonly name: string;
  create(db: ScratchSchema): Promise<BaseCheckpointSaver>;
}

/** Every checkpointer the runner must be crash-safe on; a new saver is added here. */
const SAVERS: readonly SaverCase[] = [
  { name: 'MemorySaver', create: () => Promise.resolve(new MemorySaver()) },
  {
    name: 'the official PostgresSaver',
    async create(db) {
      const saver = new PostgresSaver(db.pool, undefined, { schema: db.schema });
      await saver.setup();
      return saver;
    },
  },
  { name: 'the pipeline checkpointer (createCheckpointer)', create: (db) => createCheckpointer(db.pool, db.schema) },
];

/** What a model call costs in this test: priced, so a second payment would show. */
const PRICE_MICROS = 7;

const request = (conversationId: string, requestId = `req-${conversationId}`): RequestInfo => ({
  requestId,
  conversationId,
  tenantId: 't',
  customerId: 'c',
  customerTier: 'STANDARD',
  channel: 'WEB',
  subject: null,
  message: 'Where is my parcel?',
  correlationId: 'corr',
  receivedEventId: `evt-${requestId}`,
  receivedAt: new Date().toISOString(),
});

interface Rig {
  readonly runner: StepRunner;
  readonly graph: SupportGraph;
  readonly saver: FaultInjector<BaseCheckpointSaver>;
  /** Times each node's implementation was entered. */
  readonly nodeCalls: (node: NodeName) => number;
  /** Model calls actually made (paid); cached answers are not counted. */
  readonly modelCalls: () => number;
  /** The next run of `node` "crashes" after its model call was paid, before it returns. */
  readonly crashInside: (node: NodeName) => void;
}

let db: ScratchSchema;
let conversation = 0;
const newConversation = (label: string) => `${label}-${Date.now().toString(36)}-${(conversation += 1)}`;

beforeEach(async () => {
  db = await createScratchSchema('step_crash');
  await runMigrations(db.pool, { schema: db.schema });
});

afterEach(async () => {
  await db.drop();
});

async function rig(saverCase: SaverCase): Promise<Rig> {
  const saver = injectFaults(await saverCase.create(db));
  const calls = new Map<NodeName, number>();
  const crashing = new Set<NodeName>();
  let paid = 0;
  const resolver = {
    run: (task: TaskName) => {
      paid += 1;
      const result: Partial<RunTaskResult<TaskName>> = {
        output: { verdict: 'allow', categories: [], reason: '' } as never,
        usage: { promptTokens: 10, completionTokens: 5 },
        cost: { amountMicros: PRICE_MICROS, currency: 'USD' },
        latencyMs: 1,
        provider: 'fake',
        model: `m-${task}`,
      };
      return Promise.resolve(result);
    },
  } as unknown as ModelResolver;
  // The real step cache in PostgreSQL, as the services use it.
  const models = cachedModels(resolver, postgresCallCache(db.pool));
  const scripted = scriptedNodes();
  const nodes: NodeImplementations = {};
  for (const [name, implementation] of Object.entries(scripted) as [NodeName, NonNullable<NodeImplementations[NodeName]>][]) {
    nodes[name] = async (state, context) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      // moderate and triage ask a model, as the real agents do.
      if (name === 'moderate' || name === 'triage') await models.run(context, 't', name, name === 'moderate' ? { text: state.request?.message ?? '' } : ({} as never));
      if (crashing.delete(name)) throw new SimulatedCrash(`node ${name}, after its model call`);
      return implementation(state, context);
    };
  }
  const graph = buildSupportGraph({ nodes, checkpointer: saver.subject });
  // The lock pool apart from the saver's, as in the services.
  const runner = createStepRunner({ graph, pool: db.newPool({ max: 4 }) });
  return { runner, graph, saver, nodeCalls: (node) => calls.get(node) ?? 0, modelCalls: () => paid, crashInside: (node) => crashing.add(node) };
}

/** Starts a run and returns the checkpoint that waits before `moderate`. */
async function started(runner: StepRunner, conversationId: string): Promise<string> {
  const start = await runner.startRun(request(conversationId));
  expect(start.kind).toBe('started');
  expect(start.snapshot.next).toEqual(['moderate']);
  return start.snapshot.checkpointId ?? '';
}

describe.each(SAVERS)('step runner after a crash inside a step, on $name', (saverCase) => {
  it('leaves nothing of a step that crashed at its checkpoint write: the redelivered trigger runs it again, its model call answered from the cache (paid once)', async () => {
    const { runner, saver, nodeCalls, modelCalls } = await rig(saverCase);
    const conversationId = newConversation('put-crash');
    const from = await started(runner, conversationId);

    saver.crashAt('put');
    await expect(runner.runStep(conversationId, 'moderate', from)).rejects.toThrow(SimulatedCrash);
    const limbo = await runner.readThread(conversationId);
    expect(limbo.checkpointId, 'no checkpoint after the crash').toBe(from);
    expect(limbo.next, 'the thread still waits before the step').toEqual(['moderate']);
    expect(saver.calls('putWrites'), 'a step writes its checkpoint once, no separate pending writes').toBe(0);

    const again = await runner.runStep(conversationId, 'moderate', from);
    expect(again.kind).toBe('ran');
    expect(again.snapshot.parentCheckpointId).toBe(from);
    expect(again.snapshot.next).toEqual(['triage']);
    expect(again.snapshot.values.lastStep?.node).toBe('moderate');
    // The node ran twice (its first run was lost with the crash); its model call was paid once.
    expect(nodeCalls('moderate'), 'node calls').toBe(2);
    expect(modelCalls(), 'model calls').toBe(1);
    expect(again.snapshot.values.lastStep?.llmCalls.map((call) => call.cached)).toEqual([true]);

    // A third delivery of the same trigger replays the step: nothing runs, nothing is paid.
    const third = await runner.runStep(conversationId, 'moderate', from);
    expect(third.kind).toBe('replayed');
    expect(third.snapshot.checkpointId).toBe(again.snapshot.checkpointId);
    expect([nodeCalls('moderate'), modelCalls()]).toEqual([2, 1]);
  });

  it('completes a step whose writes were saved but whose checkpoint was not (a thread written with per-write durability): node and model run exactly once', async () => {
    const { runner, graph, saver, nodeCalls, modelCalls } = await rig(saverCase);
    const conversationId = newConversation('legacy-put-crash');
    const from = await started(runner, conversationId);
    // LangGraph's default durability saves the node's writes before the checkpoint; crash in between.
    saver.crashAt('put');
    await expect(graph.invoke(null, { configurable: { thread_id: conversationId }, durability: 'async' })).rejects.toThrow(SimulatedCrash);
    const limbo = await runner.readThread(conversationId);
    expect(limbo.checkpointId).toBe(from);
    expect(limbo.tasks).toContain('moderate');

    const again = await runner.runStep(conversationId, 'moderate', from);
    expect(again.kind).toBe('ran');
    expect(again.snapshot.next).toEqual(['triage']);
    expect(nodeCalls('moderate'), 'node calls').toBe(1);
    expect(modelCalls(), 'model calls').toBe(1);
    expect(again.snapshot.values.lastStep?.llmCalls.map((call) => call.cached)).toEqual([false]);
    expect(runUsageOf(again.snapshot.values)).toMatchObject({ llmCalls: 1, costMicros: PRICE_MICROS });
  });

  it('re-runs a step that crashed after its model call was paid, answering the call from the step cache: paid once, recorded as cached', async () => {
    const { runner, crashInside, nodeCalls, modelCalls } = await rig(saverCase);
    const conversationId = newConversation('node-crash');
    const from = await started(runner, conversationId);

    crashInside('moderate');
    await expect(runner.runStep(conversationId, 'moderate', from)).rejects.toThrow(SimulatedCrash);
    expect((await runner.readThread(conversationId)).checkpointId).toBe(from);

    const again = await runner.runStep(conversationId, 'moderate', from);
    expect(again.kind).toBe('ran');
    expect(again.snapshot.next).toEqual(['triage']);
    // The node itself runs again (nothing of it was saved), but its model call is not made again.
    expect(nodeCalls('moderate'), 'node calls').toBe(2);
    expect(modelCalls(), 'model calls').toBe(1);
    expect(again.snapshot.values.lastStep?.llmCalls.map((call) => call.cached)).toEqual([true]);
    // The run's cost counts a cached answer as free: the call is never billed twice.
    expect(runUsageOf(again.snapshot.values).llmCalls).toBe(1);
    expect(runUsageOf(again.snapshot.values).costMicros).toBeLessThan(2 * PRICE_MICROS);
  });

  it('starts again a run whose start crashed before its checkpoint was written', async () => {
    const { runner, saver, nodeCalls, modelCalls } = await rig(saverCase);
    const conversationId = newConversation('start-crash');
    saver.crashAt('put');
    await expect(runner.startRun(request(conversationId))).rejects.toThrow(SimulatedCrash);
    expect((await runner.readThread(conversationId)).checkpointId, 'nothing of the start was kept').toBeUndefined();
    const again = await runner.startRun(request(conversationId));
    expect(again.kind).toBe('started');
    expect(again.snapshot.next).toEqual(['moderate']);
    const step = await runner.runStep(conversationId, 'moderate', again.snapshot.checkpointId ?? '');
    expect(step.kind).toBe('ran');
    expect([nodeCalls('moderate'), modelCalls()]).toEqual([1, 1]);
  });

  it('finishes a run start that crashed after its input was saved (per-write durability), instead of queueing the request behind it', async () => {
    const { runner, graph, saver, nodeCalls, modelCalls } = await rig(saverCase);
    const conversationId = newConversation('legacy-start-crash');
    // The input checkpoint is written; the first loop checkpoint is not.
    saver.crashAt('put', 2);
    const input = runStartInput(runIdOf(`req-${conversationId}`), request(conversationId), [], new Date().toISOString());
    await expect(graph.invoke(input, { configurable: { thread_id: conversationId }, durability: 'async' })).rejects.toThrow(SimulatedCrash);
    const again = await runner.startRun(request(conversationId));
    expect(again.kind).toBe('existing');
    expect(again.snapshot.next).toEqual(['moderate']);
    const step = await runner.runStep(conversationId, 'moderate', again.snapshot.checkpointId ?? '');
    expect(step.kind).toBe('ran');
    expect([nodeCalls('moderate'), modelCalls()]).toEqual([1, 1]);
  });
});

describe.each(SAVERS)('step runner with redelivered and stale triggers, on $name', (saverCase) => {
  it('reports a trigger from another checkpoint as stale, even when the thread waits before its node, and runs nothing', async () => {
    const { runner, nodeCalls, modelCalls } = await rig(saverCase);
    const conversationId = newConversation('stale');
    const from = await started(runner, conversationId);
    const moderated = await runner.runStep(conversationId, 'moderate', from);
    expect(moderated.kind).toBe('ran');
    const waiting = moderated.snapshot.checkpointId ?? '';

    // "triage from the start checkpoint" names a step that never happened: the start led to moderate.
    const stale = await runner.runStep(conversationId, 'triage', from);
    expect(stale.kind).toBe('stale');
    expect(nodeCalls('triage')).toBe(0);
    expect((await runner.readThread(conversationId)).checkpointId).toBe(waiting);

    // The real trigger still runs the step once.
    const real = await runner.runStep(conversationId, 'triage', waiting);
    expect(real.kind).toBe('ran');
    expect([nodeCalls('triage'), modelCalls()]).toEqual([1, 2]);
  });

  it('replays an earlier run’s step when its trigger is redelivered while the next run waits before the same node', async () => {
    const { runner, nodeCalls } = await rig(saverCase);
    const conversationId = newConversation('old-trigger');
    const from = await started(runner, conversationId);
    // Run 1 to its end, step by step, as the services would.
    let outcome = await runner.runStep(conversationId, 'moderate', from);
    const firstModerate = outcome.snapshot;
    for (let steps = 0; outcome.snapshot.next.length > 0 && steps < 10; steps += 1) {
      const node = outcome.snapshot.next[0] as NodeName;
      outcome = await runner.runStep(conversationId, node, outcome.snapshot.checkpointId ?? '');
      expect(outcome.kind).toBe('ran');
    }
    expect(outcome.snapshot.values.outcome).toBe('RESOLVED');

    // A follow-up starts run 2, which now waits before moderate, like run 1's trigger did.
    const second = await runner.startRun(request(conversationId, `req-${conversationId}-2`));
    expect(second.kind).toBe('started');
    expect(second.snapshot.next).toEqual(['moderate']);

    // Run 1's moderate trigger again: the step it asked for is run 1's, already done.
    const redelivered = await runner.runStep(conversationId, 'moderate', from);
    expect(redelivered.kind).toBe('replayed');
    expect(redelivered.snapshot.checkpointId).toBe(firstModerate.checkpointId);
    expect(redelivered.snapshot.values.request?.requestId).toBe(`req-${conversationId}`);
    expect(nodeCalls('moderate'), 'run 2 did not move on an old trigger').toBe(1);
    expect((await runner.readThread(conversationId)).checkpointId).toBe(second.snapshot.checkpointId);
  });

  it('queues a follow-up that arrives during a run in conversation_queue and starts it once the run ended', async () => {
    const { runner } = await rig(saverCase);
    const conversationId = newConversation('queue');
    const from = await started(runner, conversationId);
    const followUp = request(conversationId, `req-${conversationId}-2`);
    const queued = await runner.startRun(followUp);
    expect(queued.kind).toBe('queued');
    const rows = async () => (await db.pool.query<{ request_id: string }>('SELECT request_id FROM conversation_queue WHERE conversation_id = $1', [conversationId])).rows;
    expect(await rows()).toEqual([{ request_id: followUp.requestId }]);
    // Delivered again while still in flight: queued once.
    expect((await runner.startRun(followUp)).kind).toBe('queued');
    expect(await rows()).toHaveLength(1);
    // Nothing starts while run 1 is in flight.
    expect(await runner.startNextQueued(conversationId)).toBeUndefined();

    let outcome = await runner.runStep(conversationId, 'moderate', from);
    for (let steps = 0; outcome.snapshot.next.length > 0 && steps < 10; steps += 1) {
      outcome = await runner.runStep(conversationId, outcome.snapshot.next[0] as NodeName, outcome.snapshot.checkpointId ?? '');
    }
    const next = await runner.startNextQueued(conversationId);
    expect(next?.kind).toBe('started');
    expect(next?.snapshot.values.request?.requestId).toBe(followUp.requestId);
    expect(next?.snapshot.next).toEqual(['moderate']);
    expect(await rows()).toEqual([]);
    // A redelivered RunCompleted finds nothing more to start.
    expect(await runner.startNextQueued(conversationId)).toBeUndefined();
  });
});
