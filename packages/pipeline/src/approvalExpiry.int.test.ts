import type { SupportEvent } from '@supportstream/events';
import { sampleContext, sampleEvent, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test/harness.js';
import { scriptedNodes } from '../test/scriptedNodes.js';

let harness: Harness;

beforeAll(async () => {
  // Supervisors get two seconds here, so the approval expires while the test watches.
  harness = await startHarness(scriptedNodes({ approvalTtlMs: 2_000 }));
}, 60_000);

afterAll(async () => {
  await harness.stop();
});

const ofConversation = (conversationId: string) => harness.seen.filter((event) => event.metadata.conversationId === conversationId);
const find = (conversationId: string, type: SupportEvent['type']) =>
  waitFor(() => ofConversation(conversationId).find((event) => event.type === type), {
    timeoutMs: 30_000,
    description: () => `${type}; saw ${ofConversation(conversationId).map((event) => event.type).join(', ')}`,
  });

describe('approval expiry', () => {
  it('emits ApprovalExpired when nobody decides in time, and the run takes the configured path (hand-off)', async () => {
    const request = sampleEvent('RequestReceived', sampleContext(), { message: 'Please refund my order', customerTier: 'STANDARD' });
    await harness.producer.publish([request]);
    const { conversationId } = request.metadata;
    const requested = await find(conversationId, 'ApprovalRequested');
    const expired = await find(conversationId, 'ApprovalExpired');
    if (requested.type !== 'ApprovalRequested' || expired.type !== 'ApprovalExpired') throw new Error('unreachable');
    expect(expired.data.approvalId).toBe(requested.data.approvalId);
    expect(expired.data.fallbackPath).toBe('handoff');
    expect(expired.data.expiredAt.getTime()).toBe(requested.data.expiresAt.getTime());
    const completed = await find(conversationId, 'RunCompleted');
    expect(completed.type === 'RunCompleted' && completed.data.outcome).toBe('HANDED_OFF');

    // A decision that comes too late is refused; the run does not resume twice.
    await harness.producer.publish([
      sampleEvent('ApprovalDecided', { ...sampleContext({ conversationId }), requestId: request.metadata.requestId }, {
        approvalId: requested.data.approvalId,
        decision: 'APPROVED',
        decidedBy: 'late-supervisor',
        comment: null,
        editedReply: null,
      }),
    ]);
    const refusal = await waitFor(
      () => ofConversation(conversationId).find((event) => event.type === 'SupervisorAlert' && event.data.reason === 'approval_refused:already_decided'),
      { timeoutMs: 20_000, description: 'the refusal of the late decision' },
    );
    expect(refusal.type === 'SupervisorAlert' && refusal.data.message).toMatch(/already expired/);
  });
});
