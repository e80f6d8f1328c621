import type { SupportTicket } from '@supportstream/eval';
import { createEventFactory, stableId } from '@supportstream/events';
import type { RequestInfo } from '@supportstream/graph';
import { requestInfoOf, type RequestReceived } from '../audit/replayEngine.js';

/** The producer named on the requests and events of an evaluation run. */
export const EVAL_PRODUCER = 'supportstream-eval';

/**
 * When the first ticket arrives. The runner's clock is fixed so that a run does not depend on the
 * day it is made: the sample CRM's orders (October and November 2026) are read as of this date.
 */
export const EVAL_EPOCH = new Date('2026-12-01T09:00:00.000Z');

/** Tickets arrive one minute apart, in file order, so a follow-up is always newer than what it follows. */
const TICKET_SPACING_MS = 60_000;

/** What the runner needs of a ticket: an id, unique among the tickets of one run. */
export interface RunnableTicket {
  readonly id: string;
}

/** One ticket as the platform would receive it (a dataset's ticket, or a recorded request). */
export interface PlannedTicket<Ticket extends RunnableTicket = SupportTicket> {
  readonly ticket: Ticket;
  readonly request: RequestReceived;
  /** What the graph's run starts from, built from `request` as the what-if replay builds it. */
  readonly info: RequestInfo;
}

/** The tickets of one conversation, on one thread, in the order they must run. */
export interface ConversationPlan<Ticket extends RunnableTicket = SupportTicket> {
  readonly threadId: string;
  readonly tickets: readonly PlannedTicket<Ticket>[];
}

export class ConversationPlanError extends Error {
  override readonly name = 'ConversationPlanError';
}

/**
 * The thread a ticket runs on: the tickets of one conversation (same tenant, customer and
 * `conversation`) share one; a ticket without a conversation is a thread of its own.
 */
export function threadIdOf(ticket: SupportTicket): string {
  const key = ticket.conversation === undefined ? [ticket.id] : [ticket.customerId, ticket.conversation];
  return ['eval', ticket.tenantId, ...key].map(encodeURIComponent).join(':');
}

/** A ticket as the RequestReceived a gateway would have written; every id derives from the ticket's id. */
export function ticketRequest(ticket: SupportTicket, threadId: string, receivedAt: Date): RequestReceived {
  const factory = createEventFactory({ producer: EVAL_PRODUCER });
  return factory.create(
    'RequestReceived',
    {
      channel: 'WEB',
      customerId: ticket.customerId,
      customerTier: ticket.customerTier,
      subject: null,
      // The language is what triage is scored on: the request does not give it away.
      locale: null,
      message: ticket.message,
      attributes: {},
    },
    {
      conversationId: threadId,
      requestId: stableId('eval-request', ticket.id),
      tenantId: ticket.tenantId,
      correlationId: stableId('eval-correlation', ticket.id),
      causationId: null,
      customerId: ticket.customerId,
    },
    stableId('eval-event', ticket.id),
    receivedAt,
  );
}

/**
 * Groups the tickets into conversations, each in file order, conversations in the order of their
 * first ticket. A follow-up must come after the ticket it follows, on the same thread (the dataset
 * loader checks this for a file; a list built in code is checked here).
 */
export function planConversations(tickets: readonly SupportTicket[], epoch: Date = EVAL_EPOCH): ConversationPlan[] {
  const threads = new Map<string, PlannedTicket[]>();
  const threadOfTicket = new Map<string, string>();
  tickets.forEach((ticket, index) => {
    const threadId = threadIdOf(ticket);
    if (ticket.followUpOf !== undefined && threadOfTicket.get(ticket.followUpOf) !== threadId) {
      throw new ConversationPlanError(
        `ticket ${ticket.id} follows up ${ticket.followUpOf}, which is no earlier ticket of its conversation`,
      );
    }
    threadOfTicket.set(ticket.id, threadId);
    const request = ticketRequest(ticket, threadId, new Date(epoch.getTime() + index * TICKET_SPACING_MS));
    const planned: PlannedTicket = { ticket, request, info: requestInfoOf(request, threadId) };
    threads.set(threadId, [...(threads.get(threadId) ?? []), planned]);
  });
  return [...threads].map(([threadId, planned]) => ({ threadId, tickets: planned }));
}
