import { describe, expect, it } from 'vitest';
import type { ConversationEvent } from '../api/types.js';
import { decodeClaims, tokenFromFragment } from './token.js';
import { addPending, applyEvent, confirmSent, dropPending, emptyTranscript, isQueued, type Transcript } from './transcript.js';

let seq = 0;
const event = (type: string, requestId: string, data: Record<string, unknown> = {}, at = seq + 1): ConversationEvent => {
  seq = at;
  return { seq: String(at), eventId: `evt-${at}`, type, topic: 't', partition: 0, offset: String(at), occurredAt: '2026-03-01T10:00:00Z', producer: 'test', requestId, correlationId: requestId, causationId: null, schemaId: 1, summary: type, data };
};
const fold = (transcript: Transcript, events: readonly ConversationEvent[]) => events.reduce(applyEvent, transcript);
const sent = (message = 'Hello', requestId = 'req-1') => confirmSent(addPending(emptyTranscript, 'k1', message, '2026-03-01T10:00:00Z'), 'k1', requestId);

describe('the chat transcript', () => {
  it('given a sent message, when its steps run, then it lists them and the one running now, and ends with the reply', () => {
    seq = 0;
    const working = fold(sent(), [event('RequestReceived', 'req-1', { message: 'Hello' }), event('AgentStepCompleted', 'req-1', { node: 'moderate', next: 'triage' }), event('AgentStepCompleted', 'req-1', { node: 'triage', next: 'research' })]);
    expect(working.turns[0]).toMatchObject({ phase: 'working', steps: ['moderate', 'triage'], current: 'research', requestId: 'req-1', message: 'Hello' });
    const done = fold(working, [event('RunCompleted', 'req-1', { outcome: 'RESOLVED', finalReply: null, citations: [] }), event('ReplyReady', 'req-1', { body: 'Hi!', citations: [{ sourceId: 'kb-1', title: 'Greetings' }] })]);
    expect(done.turns[0]).toMatchObject({ phase: 'done', outcome: 'RESOLVED', reply: 'Hi!', sources: ['Greetings'], current: undefined });
  });

  it('given events repeated after a reconnect, then they change nothing', () => {
    seq = 0;
    const once = fold(sent(), [event('AgentStepCompleted', 'req-1', { node: 'triage', next: 'research' }, 5)]);
    const again = fold(once, [event('AgentStepCompleted', 'req-1', { node: 'moderate', next: 'triage' }, 4), event('AgentStepCompleted', 'req-1', { node: 'triage', next: 'research' }, 5)]);
    expect(again).toBe(once);
  });

  it('given a step announced after the approval request (another topic), then the review goes on until the decision', () => {
    seq = 0;
    const waiting = fold(sent(), [event('ApprovalRequested', 'req-1', { approvalId: 'a' }), event('AgentStepCompleted', 'req-1', { node: 'quality', next: 'escalate' })]);
    expect(waiting.turns[0]).toMatchObject({ phase: 'review', review: 'pending', steps: ['quality'] });
    const decided = fold(waiting, [event('AgentStepCompleted', 'req-1', { node: 'escalate', next: 'respond', output: '{"approvalId":"a","decision":"REJECTED"}' })]);
    expect(decided.turns[0]).toMatchObject({ phase: 'working', review: 'REJECTED', current: 'respond' });
    const late = fold(decided, [event('RunCompleted', 'req-1', { outcome: 'RESOLVED_AFTER_APPROVAL', finalReply: 'No refund.' }), event('ApprovalDecided', 'req-1', { decision: 'REJECTED' })]);
    expect(late.turns[0]).toMatchObject({ phase: 'done', review: 'REJECTED', reply: 'No refund.' });
  });

  it('given events that come before the POST answers, then the sent message takes their turn', () => {
    seq = 0;
    const pending = addPending(emptyTranscript, 'k1', 'Hello', '2026-03-01T10:00:00Z');
    const early = fold(pending, [event('RequestReceived', 'req-1', { message: 'Hello' }), event('AgentStepCompleted', 'req-1', { node: 'moderate', next: 'triage' })]);
    expect(early.turns).toHaveLength(2);
    const merged = confirmSent(early, 'k1', 'req-1');
    expect(merged.turns).toHaveLength(1);
    expect(merged.turns[0]).toMatchObject({ key: 'k1', requestId: 'req-1', phase: 'working', steps: ['moderate'] });
    expect(dropPending(pending, 'k1').turns).toEqual([]);
  });

  it('given a follow-up while the first message runs, then it is queued behind it', () => {
    seq = 0;
    const first = fold(sent('One', 'req-1'), [event('AgentStepCompleted', 'req-1', { node: 'triage', next: 'research' })]);
    const both = confirmSent(addPending(first, 'k2', 'Two', '2026-03-01T10:01:00Z'), 'k2', 'req-2');
    expect(isQueued(both.turns, 1)).toBe(true);
    const finished = fold(both, [event('RunCompleted', 'req-1', { outcome: 'RESOLVED', finalReply: 'Done.' })]);
    expect(isQueued(finished.turns, 1)).toBe(false);
  });
});

describe('the chat token', () => {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  it('is read from the fragment, and its claims decoded (UTF-8, base64url) for display', () => {
    expect(tokenFromFragment('#token=a.b.c')).toBe('a.b.c');
    expect(tokenFromFragment('#other=1&token=a.b.c')).toBe('a.b.c');
    expect(tokenFromFragment('')).toBeUndefined();
    expect(tokenFromFragment('#token=')).toBeUndefined();
    const payload = btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify({ sub: 'Zoë~?>', tenant_id: 't-1', role: 'customer', exp: 1_800_000_000 })))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(decodeClaims(`${part({ alg: 'HS256' })}.${payload}.sig`)).toEqual({ customerId: 'Zoë~?>', tenantId: 't-1', role: 'customer', expiresAt: 1_800_000_000_000 });
    expect(decodeClaims('not-a-token')).toBeUndefined();
    expect(decodeClaims('a.%%%.c')).toBeUndefined();
  });
});
