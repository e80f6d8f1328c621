import { Command, MemorySaver } from '@langchain/langgraph';
import type { DraftReply, QualityReview, TriageDecision } from '@supportstream/domain';
import { describe, expect, it } from 'vitest';
import { buildSupportGraph } from './build.js';
import type { NodeImplementations } from './nodes.js';
import { readThread } from './snapshot.js';
import { currentRunId, runStartInput, stepCountOf, withoutUnchanged, type RequestInfo } from './state.js';
import { terminalNodes, type ApprovalRequest } from './terminalNodes.js';

const request = (message: string, tier: RequestInfo['customerTier'] = 'STANDARD'): RequestInfo => ({
  requestId: 'req-1',
  conversationId: 'conv-1',
  tenantId: 'tenant-a',
  customerId: 'cust-1',
  customerTier: tier,
  channel: 'WEB',
  subject: null,
  message,
  correlationId: 'corr-1',
  receivedEventId: 'evt-1',
  receivedAt: '2026-01-01T00:00:00.000Z',
});

const triage = (overrides: Partial<TriageDecision> = {}): TriageDecision => ({
  category: 'shipping',
  priority: 'normal',
  sentiment: 'neutral',
  language: 'en',
  intent: 'track_order',
  confidence: 0.9,
  signals: [],
  refundAmount: null,
  orderId: null,
  ...overrides,
});

/** Scripted nodes: the graph's routing is under test, not the agents. */
function scripted(options: { block?: boolean; triage?: TriageDecision; reviews?: QualityReview[]; refundMicros?: number }): NodeImplementations {
  const reviews = [...(options.reviews ?? [{ score: 0.9, issues: [], verdict: 'pass' as const }])];
  const draft: DraftReply = { reply: 'Here is the answer.', citations: ['kb-1'], confidence: 0.9 };
  return {
    moderate: () => Promise.resolve({ update: { moderation: { verdict: options.block ? 'block' : 'allow', categories: [], reason: '' } }, summary: 'moderated' }),
    triage: () => Promise.resolve({ update: { triageDecision: options.triage ?? triage() }, summary: 'triaged' }),
    research: () => Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Shipping', text: 'Parcels arrive in 3 days.', score: 0.8 }] }, summary: 'found 1 source' }),
    solution: () =>
      Promise.resolve({
        update: {
          draft,
          proposedActions: options.refundMicros ? [{ kind: 'refund', description: 'refund', amount: { amountMicros: options.refundMicros, currency: 'EUR' }, parameters: {} }] : [],
        },
        summary: 'drafted',
      }),
    quality: () => Promise.resolve({ update: { review: reviews.shift() ?? { score: 0.9, issues: [], verdict: 'pass' } }, summary: 'reviewed' }),
    ...terminalNodes({ approvalTtlMs: 3_600_000 }),
  };
}

async function runToPause(nodes: NodeImplementations, message: string, tier: RequestInfo['customerTier'] = 'STANDARD') {
  const graph = buildSupportGraph({ nodes, checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: 'conv-1' } };
  await graph.invoke(runStartInput('run-1', request(message, tier), [], '2026-01-01T00:00:01.000Z'), config);
  const visited: string[] = [];
  for (let step = 0; step < 20; step += 1) {
    const state = await readThread(graph, 'conv-1');
    const [next] = state.next;
    if (!next || state.interrupts.length > 0) return { graph, config, visited, state };
    visited.push(next);
    await graph.invoke(null, config);
  }
  throw new Error('the graph did not stop within 20 steps');
}

describe('the support graph', () => {
  it('given a plain question, when run step by step, then every node runs once and the run resolves', async () => {
    const { visited, state } = await runToPause(scripted({}), 'Where is my parcel?');
    expect(visited).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'respond']);
    expect(state.values.outcome).toBe('RESOLVED');
    expect(state.values.finalReply).toBe('Here is the answer.');
    expect(state.values.finalCitations).toEqual([{ sourceId: 'kb-1', title: 'Shipping' }]);
    expect(stepCountOf(state.values)).toBe(6);
    expect(state.values.lastStep).toMatchObject({ node: 'respond', summary: 'replied citing kb-1' });
  });

  it('one invoke advances exactly one step, each from its parent checkpoint', async () => {
    const graph = buildSupportGraph({ nodes: scripted({}), checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'conv-1' } };
    await graph.invoke(runStartInput('run-1', request('hi'), [], '2026-01-01T00:00:01.000Z'), config);
    const before = await readThread(graph, 'conv-1');
    expect(before.next).toEqual(['moderate']);
    await graph.invoke(null, config);
    const after = await readThread(graph, 'conv-1');
    expect(after.next).toEqual(['triage']);
    expect(after.parentCheckpointId).toBe(before.checkpointId);
  });

  it('given a blocked message, then the fallback reply ends the run', async () => {
    const { visited, state } = await runToPause(scripted({ block: true }), 'abuse');
    expect(visited).toEqual(['moderate', 'fallback']);
    expect(state.values.outcome).toBe('FALLBACK');
  });

  it('given a review asking for changes, then solution runs again, bounded by the policy', async () => {
    const revise: QualityReview = { score: 0.3, issues: ['cite a source'], verdict: 'revise' };
    const once = await runToPause(scripted({ reviews: [revise] }), 'Where is my parcel?');
    expect(once.visited).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'solution', 'quality', 'respond']);
    const always = await runToPause(scripted({ reviews: [revise, revise, revise] }), 'Where is my parcel?');
    expect(always.visited).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'solution', 'quality', 'escalate']);
  });

  it('given a refund above the threshold, then escalate pauses with an approval request and an approval resumes to respond', async () => {
    const nodes = scripted({ triage: triage({ category: 'refund', signals: ['refund_request'] }), refundMicros: 49_990_000 });
    const { graph, config, visited, state } = await runToPause(nodes, 'Refund my 49.99 EUR please');
    expect(visited.at(-1)).toBe('escalate');
    const pending = state.interrupts[0] as ApprovalRequest;
    // The tools' refund and the amount the customer wrote are both over the threshold.
    expect(pending).toMatchObject({
      reason: 'refund above the approval threshold; amount asked for above the approval threshold (49.99 EUR)',
      risk: 'HIGH',
      proposedReply: 'Here is the answer.',
    });
    expect(Date.parse(pending.expiresAt) - Date.parse(pending.requestedAt)).toBe(3_600_000);

    await graph.invoke(new Command({ resume: { decision: 'EDITED', decidedBy: 'sup', comment: null, editedReply: 'Refunded, sorry!', decisionEventId: 'd-1' } }), config);
    expect((await graph.getState(config)).next).toEqual(['respond']);
    await graph.invoke(null, config);
    const done = await readThread(graph, 'conv-1');
    expect(done.values.outcome).toBe('RESOLVED_AFTER_APPROVAL');
    expect(done.values.finalReply).toBe('Refunded, sorry!');
    expect(done.values.approval).toMatchObject({ approvalId: pending.approvalId, decision: 'EDITED', decisionEventId: 'd-1' });
  });

  it('given a rejected approval, then the run hands off to a human', async () => {
    const nodes = scripted({ triage: triage({ signals: ['legal_threat'] }) });
    const { graph, config } = await runToPause(nodes, 'I will sue you');
    await graph.invoke(new Command({ resume: { decision: 'REJECTED', decidedBy: 'sup', comment: 'no', editedReply: null, decisionEventId: 'd-2' } }), config);
    expect((await graph.getState(config)).next).toEqual(['handoff']);
    await graph.invoke(null, config);
    expect((await readThread(graph, 'conv-1')).values.outcome).toBe('HANDED_OFF');
  });

  it('keeps the conversation across runs: a follow-up starts a new run on the same thread', async () => {
    const { graph, config } = await runToPause(scripted({}), 'Where is my parcel?');
    await graph.invoke(runStartInput('run-2', { ...request('And the invoice?'), requestId: 'req-2' }, [], '2026-01-01T01:00:00.000Z'), config);
    const state = await readThread(graph, 'conv-1');
    expect(state.next).toEqual(['moderate']);
    expect(currentRunId(state.values)).toBe('run-2');
    expect(state.values.request).toMatchObject({ requestId: 'req-2', runId: 'run-2', runStartedAt: '2026-01-01T01:00:00.000Z' });
    expect(state.values.outcome).toBeNull();
    expect(state.values.messages.map((message) => message.role)).toEqual(['customer', 'agent', 'customer']);
  });

  it('refuses to run a node this process does not host', async () => {
    const graph = buildSupportGraph({ nodes: {}, checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'conv-x' } };
    await graph.invoke(runStartInput('run-1', request('hi'), [], '2026-01-01T00:00:01.000Z'), config);
    await expect(graph.invoke(null, config)).rejects.toThrow(/node moderate is not run by this service/);
  });
});

describe('checkpoints from before the run identity moved into the request', () => {
  it('given a thread whose run id and start are in their own channels, then its run goes on under that id, and the next run takes its own', async () => {
    const graph = buildSupportGraph({ nodes: scripted({ refundMicros: 90_000_000 }), checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'conv-old' } };
    // What the run start wrote before: the identity in the runId and runStartedAt channels, a plain RequestInfo.
    await graph.invoke({ runId: 'run-old', runStartedAt: '2026-01-01T00:00:01.000Z', request: request('Refund 90 EUR'), messages: [{ role: 'customer', text: 'Refund 90 EUR', at: '2026-01-01T00:00:00.000Z', requestId: 'req-1' }] }, config);
    for (let step = 0; step < 8 && (await readThread(graph, 'conv-old')).interrupts.length === 0; step += 1) await graph.invoke(null, config);
    const paused = await readThread(graph, 'conv-old');
    expect(currentRunId(paused.values)).toBe('run-old');
    // The approval's id derives from the run's id: the same as the same run started the new way.
    const fresh = buildSupportGraph({ nodes: scripted({ refundMicros: 90_000_000 }), checkpointer: new MemorySaver() });
    await fresh.invoke(runStartInput('run-old', request('Refund 90 EUR'), [], '2026-01-01T00:00:01.000Z'), config);
    for (let step = 0; step < 8 && (await readThread(fresh, 'conv-old')).interrupts.length === 0; step += 1) await fresh.invoke(null, config);
    const [oldWay] = paused.interrupts as ApprovalRequest[];
    const [newWay] = (await readThread(fresh, 'conv-old')).interrupts as ApprovalRequest[];
    expect(oldWay?.approvalId).toEqual(expect.any(String));
    expect(oldWay?.approvalId).toBe(newWay?.approvalId);

    const next = runStartInput('run-new', { ...request('And the invoice?'), requestId: 'req-2' }, [], '2026-01-02T00:00:00.000Z');
    const lean = withoutUnchanged(next, paused.values);
    // The old channels are reset once, so that nothing reads the previous run's id.
    expect(lean).toMatchObject({ runId: '', runStartedAt: '' });
    await graph.invoke(lean, config);
    const after = (await readThread(graph, 'conv-old')).values;
    expect(currentRunId(after)).toBe('run-new');
    expect(after.runId).toBe('');
  });
});

describe('withoutUnchanged (a lean run start)', () => {
  it('keeps only what a new thread does not already hold, and the state after is the same', async () => {
    const full = runStartInput('run-1', request('hi'), [], '2026-01-01T00:00:01.000Z');
    const lean = withoutUnchanged(full, undefined);
    // The run's id and start ride in the request: a new thread's first checkpoint writes two channels.
    expect(Object.keys(lean).sort()).toEqual(['messages', 'request']);
    const viaFull = buildSupportGraph({ nodes: scripted({}), checkpointer: new MemorySaver() });
    const viaLean = buildSupportGraph({ nodes: scripted({}), checkpointer: new MemorySaver() });
    await viaFull.invoke(full, { configurable: { thread_id: 'a' } });
    await viaLean.invoke(lean, { configurable: { thread_id: 'a' } });
    expect((await readThread(viaLean, 'a')).values).toEqual((await readThread(viaFull, 'a')).values);
  });

  it('resets on a follow-up exactly the fields the previous run changed', async () => {
    const graph = buildSupportGraph({ nodes: scripted({}), checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'conv-1' } };
    await graph.invoke(runStartInput('run-1', request('hi'), [], '2026-01-01T00:00:01.000Z'), config);
    for (let step = 0; step < 8; step += 1) await graph.invoke(null, config);
    const before = await readThread(graph, 'conv-1');
    expect(before.values.outcome).toBe('RESOLVED');
    const full = runStartInput('run-2', { ...request('And the invoice?'), requestId: 'req-2' }, [], '2026-01-01T01:00:00.000Z');
    const lean = withoutUnchanged(full, before.values);
    expect(lean).not.toHaveProperty('approval');
    expect(lean).not.toHaveProperty('risk', undefined);
    expect(Object.keys(lean)).toEqual(expect.arrayContaining(['request', 'messages', 'triageDecision', 'draft', 'outcome', 'finalReply', 'lastStep']));
    expect(lean).not.toHaveProperty('runId');
    await graph.invoke(lean, config);
    const after = (await readThread(graph, 'conv-1')).values;
    for (const [key, value] of Object.entries(full)) if (key !== 'messages') expect(after[key as keyof typeof after]).toEqual(value);
  });
});
