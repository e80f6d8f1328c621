import { createEventFactory, EVENT_TYPES, type SupportEvent } from '@supportstream/events';
import { SAMPLE_DATA, sampleContext, scriptedConversation } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { foldBatch } from './batchChange.js';
import { evolveApproval, type ApprovalRecord } from './projections/approvals.js';
import { evolveConversation, type ConversationRecord } from './projections/conversations.js';
import { summarizeEvent } from './projections/eventSummary.js';
import { keyString } from './projections/projection.js';

// The batch fold takes events in the order given (the projector passes them in log order).
const at = (events: readonly SupportEvent[]): SupportEvent[] => [...events];
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
    // Five model calls per conversation (every step but moderate), costing 120 + step index micros:
    // resolved 122+123+124+125+126, approved and rejected 122+123+124+125+127 each.
    expect(delta.costStats).toEqual([{ tenant_id: 'tenant-a', model: 'offline-1', currency: 'USD', calls: 15, cost_micros: 620 + 621 + 621 }]);
    expect(delta.agentStats.reduce((sum, row) => sum + row.llm_calls, 0)).toBe(15);
    // A decision is counted when it closes a pending approval (first decision wins).
    expect(delta.tenantStats[0]).toMatchObject({ approvals_approved: 1, approvals_rejected: 1, approvals_expired: 0 });
    expect(delta.approvals.map((row) => row.status)).toEqual(['APPROVED', 'REJECTED']);
  });

  it('given an approval already decided in an earlier batch, when a late decision comes, then nothing changes and nothing is counted', () => {
    const events = conversation('approved');
    const decisionAt = events.findIndex((event) => event.type === 'ApprovalDecided');
    const first = foldBatch(at(events.slice(0, decisionAt + 1)));
    const decided = first.approvals[0] as ApprovalRecord;
    expect(decided.status).toBe('APPROVED');
    const late = events[decisionAt];
    if (late?.type !== 'ApprovalDecided') throw new Error('fixture has no decision');
    const refused = createEventFactory({ producer: 'tests' }).create('ApprovalDecided', { ...late.data, decision: 'REJECTED' }, { ...late.metadata }, undefined, new Date(late.metadata.occurredAt.getTime() + 1_000));
    const second = foldBatch([refused], { conversations: new Map(), approvals: new Map([[keyString([decided.approval_id]), decided]]) });
    expect(second.approvals).toEqual([]);
    expect(second.tenantStats).toEqual([]);
  });

  it('evolve returns new values and leaves its arguments as they were', () => {
    const events = conversation('approved');
    let row: ConversationRecord | null = null;
    for (const event of events) {
      const before: ConversationRecord | null = row === null ? null : Object.freeze({ ...row });
      row = evolveConversation(before, event);
      expect(row).not.toBe(before);
    }
    expect(row?.event_count).toBe(events.length);
    const request = events.find((event) => event.type === 'ApprovalRequested');
    if (request?.type !== 'ApprovalRequested') throw new Error('fixture has no approval');
    const pending = Object.freeze(evolveApproval(null, request));
    expect(evolveApproval(pending, request)).toBe(pending);
  });

  it('keys come out sorted, so concurrent transactions lock rows in the same order', () => {
    const events = ['c', 'a', 'b'].map((id) => scriptedConversation({ conversationId: `conv-${id}`, tenantId: `tenant-${id}`, startedAt: new Date('2026-03-01T10:00:00Z') })).flat();
    const delta = foldBatch(at(events));
    expect(delta.conversations.map((row) => row.conversation_id)).toEqual(['conv-a', 'conv-b', 'conv-c']);
    expect(delta.tenantStats.map((row) => row.tenant_id)).toEqual(['tenant-a', 'tenant-b', 'tenant-c']);
  });

  it('leaves conversations and statistics alone for an operator replaying a dead letter (the timeline alone shows it)', () => {
    const factory = createEventFactory({ producer: 'tests' });
    const replayed = factory.create('DeadLetterReplayed', SAMPLE_DATA.DeadLetterReplayed, sampleContext({ conversationId: 'dlq-replay-1', tenantId: '_operator' }));
    expect(foldBatch([replayed])).toEqual({ conversations: [], approvals: [], agentStats: [], costStats: [], tenantStats: [] });
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
