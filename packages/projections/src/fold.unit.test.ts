import { createEventFactory, EVENT_TYPES, type SupportEvent } from '@supportstream/events';
import { SAMPLE_DATA, sampleContext, scriptedConversation } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { foldBatch, summarizeEvent, type ProjectedEvent } from './fold.js';

const at = (events: readonly SupportEvent[]): ProjectedEvent[] => events.map((event, index) => ({ event, topic: 't', partition: 0, offset: String(index), schemaId: 1 }));
const conversation = (path: 'resolved' | 'approved' | 'rejected') => scriptedConversation({ conversationId: `conv-${path}`, tenantId: 'tenant-a', startedAt: new Date('2026-03-01T10:00:00Z'), path });

/** A fixed shuffle (no randomness in tests): interleave from both ends. */
function interleaved<T>(items: readonly T[]): T[] {
  const out: T[] = [];
  for (let low = 0, high = items.length - 1; low <= high; low += 1, high -= 1) {
    out.push(items[high] as T);
    if (low !== high) out.push(items[low] as T);
  }
  return out;
}

describe('conversation read model', () => {
  it('given an escalated, approved conversation, when folded, then it ends resolved after approval with its triage and reply', () => {
    const delta = foldBatch(at(conversation('approved')));
    expect(delta.conversations).toHaveLength(1);
    const row = delta.conversations[0];
    expect(row).toMatchObject({
      conversation_id: 'conv-approved',
      tenant_id: 'tenant-a',
      status: 'RESOLVED_AFTER_APPROVAL',
      outcome: 'RESOLVED_AFTER_APPROVAL',
      current_step: 'respond',
      next_step: null,
      triage: { category: 'billing', priority: 'high' },
      final_reply: 'We refunded the duplicate payment of 49.99 EUR.',
      request_count: 1,
      step_count: 6,
    });
    expect(row?.event_count).toBe(conversation('approved').length);
  });

  it('given the same events in another order, then the read model is the same (topics interleave differently live and in a rebuild)', () => {
    for (const path of ['resolved', 'approved', 'rejected'] as const) {
      const events = conversation(path);
      const inOrder = foldBatch(at(events));
      const shuffled = foldBatch(at(interleaved(events)));
      const reversed = foldBatch(at([...events].reverse()));
      expect(shuffled.conversations).toEqual(inOrder.conversations);
      expect(reversed.conversations).toEqual(inOrder.conversations);
      expect(shuffled.tenantStats).toEqual(inOrder.tenantStats);
      expect(shuffled.agentStats).toEqual(inOrder.agentStats);
      expect(shuffled.costStats).toEqual(inOrder.costStats);
    }
  });

  it('given the step that escalates and its approval request in the same millisecond, then the conversation awaits approval', () => {
    const factory = createEventFactory({ producer: 'tests' });
    const context = sampleContext({ conversationId: 'conv-tie', tenantId: 'tenant-a' });
    const when = new Date('2026-03-01T10:00:00Z');
    const step = factory.create('AgentStepCompleted', { ...SAMPLE_DATA.AgentStepCompleted, node: 'escalate', next: null }, context, 'ffffffff-step', when);
    const approval = factory.create('ApprovalRequested', SAMPLE_DATA.ApprovalRequested, context, '00000000-approval', when);
    expect(foldBatch(at([step, approval])).conversations[0]?.status).toBe('AWAITING_APPROVAL');
    expect(foldBatch(at([approval, step])).conversations[0]?.status).toBe('AWAITING_APPROVAL');
  });

  it('given a follow-up request after a resolved run, then the conversation is received again and counts two requests', () => {
    const first = conversation('resolved');
    const factory = createEventFactory({ producer: 'tests' });
    const last = first.at(-1)?.metadata.occurredAt.getTime() ?? 0;
    const followUp = factory.create('RequestReceived', { ...SAMPLE_DATA.RequestReceived, message: 'Thanks, and my invoice?' }, sampleContext({ conversationId: 'conv-resolved', tenantId: 'tenant-a' }), undefined, new Date(last + 60_000));
    const row = foldBatch(at([followUp, ...first])).conversations[0];
    expect(row).toMatchObject({ status: 'RECEIVED', request_count: 2, last_message: 'Thanks, and my invoice?', outcome: 'RESOLVED' });
  });

  it('given a non-retriable step failure, then the conversation is failed; a retriable one keeps it in progress', () => {
    const factory = createEventFactory({ producer: 'tests' });
    const context = sampleContext({ conversationId: 'conv-failed', tenantId: 'tenant-a' });
    const failed = (willRetry: boolean) => factory.create('StepFailed', { ...SAMPLE_DATA.StepFailed, retriable: willRetry, willRetry }, context, undefined, new Date('2026-03-01T10:00:00Z'));
    expect(foldBatch(at([failed(false)])).conversations[0]?.status).toBe('FAILED');
    expect(foldBatch(at([failed(true)])).conversations[0]?.status).toBe('IN_PROGRESS');
  });
});

describe('statistics and approvals', () => {
  it('given conversations of every path, then tenant, agent and cost statistics add up', () => {
    const events = [...conversation('resolved'), ...conversation('approved'), ...conversation('rejected')];
    const delta = foldBatch(at(events));
    expect(delta.tenantStats).toEqual([
      expect.objectContaining({ tenant_id: 'tenant-a', requests: 3, runs_completed: 3, resolved: 1, resolved_after_approval: 1, handed_off: 1, escalated: 2, approvals_requested: 2, replies: 3, alerts: 2, quality_count: 3, quality_sum_micros: 3 * 870_000 }),
    ]);
    const solution = delta.agentStats.find((row) => row.node === 'solution');
    expect(solution).toMatchObject({ steps_completed: 3, llm_calls: 3, prompt_tokens: 3 * 304, completion_tokens: 3 * 64 });
    expect(delta.costStats).toEqual([{ tenant_id: 'tenant-a', model: 'offline-1', currency: 'USD', calls: delta.agentStats.reduce((sum, row) => sum + row.llm_calls, 0), cost_micros: expect.any(Number) as number }]);
    // Approval decisions are counted when applied (first decision wins), not when folded.
    expect(delta.tenantStats[0]?.approvals_approved).toBe(0);
    expect(delta.approvals.map((change) => change.kind)).toEqual(['requested', 'closed', 'requested', 'closed']);
  });

  it('keys come out sorted, so concurrent transactions lock rows in the same order', () => {
    const events = ['c', 'a', 'b'].map((id) => scriptedConversation({ conversationId: `conv-${id}`, tenantId: `tenant-${id}`, startedAt: new Date('2026-03-01T10:00:00Z') })).flat();
    const delta = foldBatch(at(events));
    expect(delta.conversations.map((row) => row.conversation_id)).toEqual(['conv-a', 'conv-b', 'conv-c']);
    expect(delta.tenantStats.map((row) => row.tenant_id)).toEqual(['tenant-a', 'tenant-b', 'tenant-c']);
  });

  it('summarizes every event type in one line', () => {
    const factory = createEventFactory({ producer: 'tests' });
    for (const type of EVENT_TYPES) {
      const summary = summarizeEvent(factory.create(type, SAMPLE_DATA[type], sampleContext()));
      expect(summary.length, type).toBeGreaterThan(5);
      expect(summary).not.toContain('\n');
    }
  });
});
