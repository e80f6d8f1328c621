import type { ConversationView, ReadModel } from '@supportstream/projections';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { principalOf, type Principal } from '../auth/principal.js';
import { notFound, validationError } from '../httpErrors.js';
import { conversationFor, eventsFor } from '../personalData.js';
import { ID_PATTERN } from './requests.js';

const ID = new RegExp(ID_PATTERN);

/**
 * The conversation if the caller may see it. Another tenant's conversation, and for a customer
 * another customer's, is "not found" exactly like a missing one, so existence is not revealed.
 */
export async function visibleConversation(readModel: ReadModel, principal: Principal, conversationId: string): Promise<ConversationView> {
  if (!ID.test(conversationId)) throw notFound('conversation');
  const conversation = await readModel.getConversation(principal.tenantId, conversationId);
  if (conversation === undefined || conversation.tenantId !== principal.tenantId) throw notFound('conversation');
  if (principal.role === 'customer' && conversation.customerId !== principal.subject) throw notFound('conversation');
  return conversation;
}

export const conversationIdParam = (params: unknown): string => {
  const value = (params as Record<string, unknown>)['id'];
  return typeof value === 'string' ? value : '';
};

export function getConversation(readModel: ReadModel): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    res.json(conversationFor(principal, await visibleConversation(readModel, principal, conversationIdParam(req.params))));
  };
}

/** An event seq: digits (a bigint in the read model). */
export const SEQ_PATTERN = '^\\d{1,19}$';
export const SEQ = new RegExp(SEQ_PATTERN);
const MAX_SEQ = 9_223_372_036_854_775_807n;
/** A seq the read model can compare: one past bigint's range has nothing after it, as the largest bigint has not. */
export const clampSeq = (seq: string): string => (BigInt(seq) > MAX_SEQ ? MAX_SEQ.toString() : seq);
/** `?after=<seq>`: only events after this seq. */
export const afterSeq = z.string().regex(SEQ, 'must be an event seq (digits)').transform(clampSeq);

export const eventsQuery = z.strictObject({
  after: afterSeq.optional(),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
});

/** GET /v1/conversations/:id/events?after=<seq>&limit=: one page, oldest first. */
export function listConversationEvents(readModel: ReadModel): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const query = eventsQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const conversation = await visibleConversation(readModel, principal, conversationIdParam(req.params));
    const page = await readModel.listEvents(principal.tenantId, conversation.conversationId, { ...(query.data.after === undefined ? {} : { afterSeq: query.data.after }), limit: query.data.limit });
    res.json({ events: eventsFor(principal, page.events), nextAfter: page.nextAfterSeq });
  };
}
