import { CONVERSATION_STATUSES, type ConversationPosition, type ReadModel } from '@supportstream/projections';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { forbidden, HttpError, validationError } from '../httpErrors.js';
import { conversationFor } from '../personalData.js';
import { ID_PATTERN } from './requests.js';

const ID = new RegExp(ID_PATTERN);
const MICROS = /^\d{1,17}$/;

/** The opaque `after` cursor: base64url of `[updatedAtMicros, conversationId]`. */
export const encodeCursor = (position: ConversationPosition): string => Buffer.from(JSON.stringify([position.updatedAtMicros, position.conversationId])).toString('base64url');

function decodeCursor(cursor: string): ConversationPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [updatedAtMicros, conversationId] = value as unknown[];
    if (typeof updatedAtMicros !== 'string' || !MICROS.test(updatedAtMicros) || typeof conversationId !== 'string' || !ID.test(conversationId)) return undefined;
    return { updatedAtMicros, conversationId };
  } catch {
    return undefined;
  }
}

/** A date, or a date and time with seconds optional and the zone required (what Date.parse reads the same everywhere). */
export const ISO_TIME_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])(T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,6})?)?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d))?$';
const ISO_TIME = new RegExp(ISO_TIME_PATTERN);

/** PostgreSQL keeps years 1 to 9999 here: a bound outside them leaves nothing out on its side, so it is moved to their edge. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const boundOf = (value: string): string => new Date(Math.min(LATEST, Math.max(EARLIEST, Date.parse(value)))).toISOString();

const isoTime = z
  .string()
  .max(40)
  .refine((value) => ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z (or a date)');

const statusList = z
  .string()
  .max(300)
  .transform((value) => value.split(',').map((status) => status.trim().toUpperCase()))
  .pipe(z.array(z.enum(CONVERSATION_STATUSES, { message: `must list statuses among ${CONVERSATION_STATUSES.join(', ')} (comma-separated, any case)` })).min(1));

export const conversationListQuery = z
  .strictObject({
    status: statusList.optional(),
    customerId: z.string().regex(ID, 'must be a customer id (1 to 200 letters, digits or . _ : @ -)').optional(),
    from: isoTime.optional().meta({ description: 'updatedAt at or after this time.' }),
    to: isoTime.optional().meta({ description: 'updatedAt before this time.' }),
    limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
    after: z.string().max(400).optional(),
  })
  .superRefine((query, context) => {
    if (query.from !== undefined && query.to !== undefined && Date.parse(query.from) >= Date.parse(query.to)) context.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
  });

/**
 * GET /v1/conversations: the tenant's conversations, last activity first. Staff (service,
 * supervisor, admin) list the whole tenant; a customer lists only their own (customerId is their
 * token's subject; asking for another customer's is a 403). from/to bound updatedAt (last
 * activity). Keyset pages: `nextAfter` is an opaque cursor; send it back as `after` with the same
 * filters. Content is masked for every role but the customer, as on the other routes.
 */
export function listConversations(readModel: ReadModel): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const parsed = conversationListQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'query');
    const query = parsed.data;
    let customerId = query.customerId;
    if (principal.role === 'customer') {
      if (customerId !== undefined && customerId !== principal.subject) throw forbidden('a customer lists only their own conversations: leave customerId out or pass your own');
      customerId = principal.subject;
    }
    const after = query.after === undefined ? undefined : decodeCursor(query.after);
    if (query.after !== undefined && after === undefined) throw new HttpError(400, 'INVALID_CURSOR', 'after is not a cursor this route returned (pass nextAfter as it came)');
    const page = await readModel.listConversations(principal.tenantId, {
      limit: query.limit,
      ...(query.status === undefined ? {} : { statuses: query.status }),
      ...(customerId === undefined ? {} : { customerId }),
      ...(query.from === undefined ? {} : { updatedFrom: boundOf(query.from) }),
      ...(query.to === undefined ? {} : { updatedTo: boundOf(query.to) }),
      ...(after === undefined ? {} : { after }),
    });
    res.json({ conversations: page.conversations.map((conversation) => conversationFor(principal, conversation)), nextAfter: page.next === null ? null : encodeCursor(page.next) });
  };
}
