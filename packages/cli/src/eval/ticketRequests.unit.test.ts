import { supportTicket, type SupportTicket, type SupportTicketInput } from '@supportstream/eval';
import { describe, expect, it } from 'vitest';
import { ConversationPlanError, EVAL_EPOCH, planConversations, threadIdOf, ticketRequest } from './ticketRequests.js';

const ticket = (id: string, fields: Partial<SupportTicketInput> = {}): SupportTicket =>
  supportTicket.parse({
    id,
    tenantId: 'tenant-a',
    customerId: 'cust-7',
    language: 'en',
    message: `message of ${id}`,
    category: 'shipping',
    escalate: false,
    escalationReasons: [],
    moderation: 'allow',
    amount: null,
    pii: [],
    injection: false,
    ...fields,
  });

describe('ticketRequest', () => {
  it('given a ticket, when it becomes a request, then the run starts from what a gateway would have written', () => {
    const message = 'My headphones were charged twice.';
    const vip = ticket('en-013', { customerId: 'cust-42', customerTier: 'VIP', message });
    const receivedAt = new Date('2026-12-01T09:05:00.000Z');
    const request = ticketRequest(vip, 'eval:tenant-a:en-013', receivedAt);

    expect(request.type).toBe('RequestReceived');
    expect(request.data).toEqual({
      channel: 'WEB',
      customerId: 'cust-42',
      customerTier: 'VIP',
      subject: null,
      locale: null,
      message,
      attributes: {},
    });
    expect(request.metadata).toMatchObject({
      conversationId: 'eval:tenant-a:en-013',
      tenantId: 'tenant-a',
      causationId: null,
      occurredAt: receivedAt,
    });
    // Ids derive from the ticket, so two runs of the dataset start the same runs.
    expect(ticketRequest(vip, 'eval:tenant-a:en-013', receivedAt)).toEqual(request);
    const other = ticketRequest(ticket('en-014'), 'eval:tenant-a:en-014', receivedAt);
    expect(other.metadata.requestId).not.toBe(request.metadata.requestId);
  });
});

describe('threadIdOf', () => {
  it('given tickets of one conversation, then they share a thread no other tenant, customer or ticket shares', () => {
    const first = ticket('a', { conversation: 'conv-1' });
    const second = ticket('b', { conversation: 'conv-1', followUpOf: 'a' });
    expect(threadIdOf(second)).toBe(threadIdOf(first));
    expect(threadIdOf(ticket('c', { conversation: 'conv-1', tenantId: 'tenant-b' }))).not.toBe(threadIdOf(first));
    expect(threadIdOf(ticket('d', { conversation: 'conv-1', customerId: 'cust-8' }))).not.toBe(threadIdOf(first));
    expect(threadIdOf(ticket('e'))).not.toBe(threadIdOf(ticket('f')));
  });
});

describe('planConversations', () => {
  it('given a follow-up filed after other tickets, when planned, then it runs on its thread after the first', () => {
    const plans = planConversations([
      ticket('en-001', { conversation: 'conv-mugs' }),
      ticket('en-003'),
      ticket('en-002', { conversation: 'conv-mugs', followUpOf: 'en-001' }),
    ]);

    const ids = plans.map((plan) => plan.tickets.map((planned) => planned.ticket.id));
    expect(ids).toEqual([['en-001', 'en-002'], ['en-003']]);
    const [mugs] = plans;
    expect(mugs?.tickets.map((planned) => planned.info.conversationId)).toEqual([mugs?.threadId, mugs?.threadId]);
    // Arrival times follow the file, one minute apart: the follow-up is newer than what it follows.
    const third = new Date(EVAL_EPOCH.getTime() + 120_000).toISOString();
    expect(mugs?.tickets.map((planned) => planned.info.receivedAt)).toEqual([EVAL_EPOCH.toISOString(), third]);
    expect(mugs?.tickets[1]?.info).toMatchObject({
      tenantId: 'tenant-a',
      customerId: 'cust-7',
      message: 'message of en-002',
      channel: 'WEB',
      subject: null,
    });
  });

  it('given a follow-up before the ticket it follows, or of another conversation, then the plan is refused', () => {
    const parent = ticket('a', { conversation: 'conv-1' });
    const early = ticket('b', { conversation: 'conv-1', followUpOf: 'a' });
    const elsewhere = ticket('b', { conversation: 'conv-2', followUpOf: 'a' });
    expect(() => planConversations([early, parent])).toThrow(ConversationPlanError);
    expect(() => planConversations([parent, elsewhere])).toThrow(/no earlier ticket of its conversation/);
  });
});
