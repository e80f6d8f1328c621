import type { TriageDecision } from '@supportstream/domain';
import { runStartInput, type LlmCallRecord, type NodeContext, type RequestInfo, type SupportStateType } from '@supportstream/graph';
import { createLlmMetrics, type ModelResolver, type RunContext, type RunTaskResult, type TaskName } from '@supportstream/llm';
import { memorySessionMemory } from '@supportstream/memory';
import { createAgentTools, inMemoryCrmDirectory, sampleCrmData } from '@supportstream/tools';
import { Registry, type Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { inMemoryCallCache } from './callCache.js';
import { cachedModels, modelTasksOf, type AgentModels } from './models.js';
import { solutionNode } from './nodes/solutionNode.js';

const request: RequestInfo = {
  requestId: 'req-1',
  conversationId: 'conv-1',
  tenantId: 'tenant-a',
  customerId: 'cust-42',
  customerTier: 'VIP',
  channel: 'WEB',
  subject: null,
  message: 'I was charged twice for order 1001, please refund.',
  correlationId: 'corr',
  receivedEventId: 'evt',
  receivedAt: '2026-11-20T10:00:00.000Z',
};
const triage: TriageDecision = {
  category: 'refund',
  priority: 'high',
  sentiment: 'negative',
  language: 'en',
  intent: 'refund_request',
  confidence: 0.8,
  signals: ['refund_request', 'duplicate_charge'],
  refundAmount: null,
  orderId: '1001',
};

function context(recorded: LlmCallRecord[] = [], stepKey = 'ckpt-1'): NodeContext {
  return { threadId: 'conv-1', node: 'solution', stepKey, signal: undefined, recordLlmCall: (call) => recorded.push(call) };
}

/** A scripted model: the node's use of tools and memory is under test, not the model. */
const scriptedModels: AgentModels = {
  run: (_context, _tenant, task, input) => {
    if (task !== 'draft') throw new Error(`unexpected task ${task}`);
    const facts = (input as { facts: string[] }).facts;
    return Promise.resolve({ reply: facts.join('\n'), citations: [], confidence: 0.9 }) as never;
  },
};

function state(overrides: Partial<RequestInfo> = {}, decision: TriageDecision = triage): SupportStateType {
  const start = runStartInput('run-1', { ...request, ...overrides }, [], request.receivedAt) as SupportStateType;
  return { ...start, triageDecision: decision };
}

const tools = createAgentTools({ crm: inMemoryCrmDirectory(sampleCrmData()), clock: () => new Date('2026-11-20T10:00:00Z') });

describe('solution agent', () => {
  it('proposes a refund of exactly the duplicate charge, computed by the tools, not the model', async () => {
    const node = solutionNode(scriptedModels, tools, memorySessionMemory(), () => Promise.resolve('friendly'));
    const result = await node(state(), context());
    expect(result.update.proposedActions).toEqual([
      expect.objectContaining({ kind: 'refund', amount: { amountMicros: 49_990_000, currency: 'EUR' } }),
    ]);
    expect((result.update.proposedActions as { parameters: Record<string, string> }[] | undefined)?.[0]?.parameters['orderId']).toBe('1001');
    expect((result.update.facts as string[] | undefined)?.join('\n')).toMatch(/charged twice/);
  });

  it('acknowledges a customer who keeps writing (session memory)', async () => {
    const sessions = memorySessionMemory();
    for (const at of ['2026-11-18T09:00:00.000Z', '2026-11-19T09:00:00.000Z']) {
      await sessions.append('tenant-a', 'cust-42', { at, conversationId: 'older', role: 'customer', text: 'still waiting' });
    }
    const node = solutionNode(scriptedModels, tools, sessions, () => Promise.resolve('friendly'));
    const result = await node(state(), context());
    expect(result.update.facts).toContain('This is your 3rd message to us in the past 7 days.');
  });

  it('computes the prorated refund when a customer cancels a subscription', async () => {
    const node = solutionNode(scriptedModels, tools, memorySessionMemory(), () => Promise.resolve('friendly'));
    const cancel = { ...triage, category: 'billing' as const, intent: 'cancel_subscription', signals: [], orderId: null };
    const result = await node(state({ message: 'Please cancel my subscription today.' }, cancel), context());
    const refund = (result.update.proposedActions as { kind: string; amount: { amountMicros: number } | null }[] | undefined)?.find((action) => action.kind === 'refund');
    expect(refund?.amount?.amountMicros).toBeGreaterThan(0);
    expect(refund?.amount?.amountMicros).toBeLessThan(29_990_000);
  });
});

describe('step call cache', () => {
  it('answers a re-run step from the cache: the model is called once and the re-run is recorded as cached', async () => {
    let calls = 0;
    const contexts: RunContext[] = [];
    const resolver = {
      run: (task: TaskName, _input: unknown, runContext: RunContext) => {
        calls += 1;
        contexts.push(runContext);
        const result: Partial<RunTaskResult<TaskName>> = {
          output: { verdict: 'allow', categories: [], reason: '' } as never,
          usage: { promptTokens: 10, completionTokens: 5 },
          cost: { amountMicros: 7, currency: 'USD' },
          latencyMs: 3,
          provider: 'fake',
          model: `m-${task}`,
        };
        return Promise.resolve(result);
      },
    } as unknown as ModelResolver;
    const registry = new Registry();
    const models = cachedModels(resolver, inMemoryCallCache(), { metrics: createLlmMetrics(registry) });
    const first: LlmCallRecord[] = [];
    const second: LlmCallRecord[] = [];
    await models.run(context(first), 'tenant-a', 'moderate', { text: 'hi' });
    await models.run(context(second), 'tenant-a', 'moderate', { text: 'hi' });
    expect(calls).toBe(1);
    expect(first[0]).toMatchObject({ cached: false, costMicros: 7 });
    expect(second[0]).toMatchObject({ cached: true, model: 'm-moderate' });
    // The resolver counts the calls it makes (with the node and tenant); the cache counts its answers.
    expect(contexts[0]).toMatchObject({ tenantId: 'tenant-a', node: 'solution' });
    const counted = (await (registry.getSingleMetric('llm_calls_total') as Counter).get()).values;
    expect(counted).toEqual([{ value: 1, labels: { provider: 'fake', model: 'm-moderate', node: 'solution', outcome: 'cached' } }]);
    // A different step (another checkpoint) is a different call.
    await models.run(context([], 'ckpt-2'), 'tenant-a', 'moderate', { text: 'hi' });
    expect(calls).toBe(2);
  });
});

describe('model tasks of nodes', () => {
  it('names the tasks a service asks models for, so it can build their providers at start', () => {
    expect(modelTasksOf(['moderate', 'triage', 'fallback'])).toEqual(['moderate', 'triage']);
    expect(modelTasksOf(['solution', 'quality', 'respond'])).toEqual(['draft', 'review']);
    expect(modelTasksOf(['escalate', 'handoff'])).toEqual([]);
  });
});
