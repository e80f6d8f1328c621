import { isPlatformError } from '@supportstream/errors';
import { MAX_DEAD_LETTER_LIST_LIMIT, type DeadLetterConsole } from '@supportstream/kafka';
import { maskDeep } from '@supportstream/privacy/mask';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { HttpError, validationError } from '../httpErrors.js';

/** What the gateway needs of the dead-letter console (packages/kafka deadLetters/); main.ts builds it. */
export type DeadLetterAdmin = Pick<DeadLetterConsole, 'list' | 'replay'>;

/** Kafka's legal topic names. */
export const TOPIC_PATTERN = '^[A-Za-z0-9._-]{1,249}$';
const TOPIC = new RegExp(TOPIC_PATTERN);
/** 0 to 1 000 000, the partitions the dead-letter console takes. */
export const PARTITION_PATTERN = '^(\\d{1,6}|1000000)$';
export const OFFSET_PATTERN = '^\\d{1,19}$';

export const deadLettersQuery = z.strictObject({
  topic: z.string().regex(TOPIC, 'must be a topic name (letters, digits, . _ -)').optional().meta({ description: 'An original topic (customer.requests, …) or its .dlq; default: all five.' }),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_DEAD_LETTER_LIST_LIMIT, `must be at most ${MAX_DEAD_LETTER_LIST_LIMIT}`).default(100),
});

const replayParams = z.strictObject({
  topic: z.string().regex(TOPIC, 'must be a topic name (letters, digits, . _ -)'),
  partition: z.string().regex(new RegExp(PARTITION_PATTERN), 'must be a partition number (digits)').transform(Number),
  // abort: the int64 check reads the digits only (BigInt throws on anything else).
  offset: z
    .string()
    .regex(new RegExp(OFFSET_PATTERN), { message: 'must be an offset (digits)', abort: true })
    .refine((value) => BigInt(value) <= 9_223_372_036_854_775_807n, 'must fit a Kafka offset (int64)'),
});

/** Staff subjects and ids stay as they are; error messages and the like are masked (they may quote what a customer wrote). */
const keepKey = (key: string): boolean => key === 'replayedBy' || key === 'requestedBy' || key === 'key' || /(?:Id|Ids|_id)$/.test(key);

/** 400 naming each malformed path parameter (validationError speaks of a body or a query). */
function pathError(error: z.ZodError): HttpError {
  const details = error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || 'path', message: issue.message }));
  return new HttpError(400, 'VALIDATION_FAILED', `invalid path: ${details.map((detail) => `${detail.path}: ${detail.message}`).join('; ')}`, { details: { issues: details } });
}

function unavailable(): HttpError {
  return new HttpError(503, 'UNAVAILABLE', 'dead letters are not available on this gateway', { headers: { 'Retry-After': '60' } });
}

/** The console's verdicts as HTTP answers; anything else goes to the error handler (500, or 503 for a database outage). */
function asHttpError(error: unknown): unknown {
  if (error instanceof HttpError || !isPlatformError(error)) return error;
  switch (error.code) {
    case 'DEAD_LETTER_NOT_FOUND':
      return new HttpError(404, 'NOT_FOUND', 'dead letter not found', { cause: error });
    case 'UNKNOWN_TOPIC':
    case 'INVALID_POSITION':
    case 'INVALID_INPUT':
      return new HttpError(400, 'VALIDATION_FAILED', error.message, { cause: error });
    case 'DEAD_LETTER_NOT_REPLAYABLE':
      return new HttpError(409, 'NOT_REPLAYABLE', error.message, { cause: error });
    case 'REPLAY_IN_PROGRESS':
      return new HttpError(409, 'REPLAY_IN_PROGRESS', error.message, { cause: error });
    default:
      return error.retriable ? new HttpError(503, 'UNAVAILABLE', 'Kafka or the replay ledger is unavailable right now; retry shortly', { headers: { 'Retry-After': '5' }, cause: error }) : error;
  }
}

/**
 * GET /v1/admin/dead-letters?topic=&limit=: the dead letters of the caller's tenant, newest
 * first. A record whose value does not decode names no tenant: it is never shown here (only the
 * operators' CLI lists it); `hiddenUnknownTenant` says how many there were.
 */
export function listDeadLetters(deadLetters: DeadLetterAdmin | undefined): RequestHandler {
  return async (req, res) => {
    const query = deadLettersQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    if (deadLetters === undefined) throw unavailable();
    const principal = principalOf(res);
    const listing = await deadLetters.list({ tenantId: principal.tenantId, limit: query.data.limit, ...(query.data.topic === undefined ? {} : { topic: query.data.topic }) }).catch((error: unknown) => {
      throw asHttpError(error);
    });
    res.json({
      deadLetters: maskDeep(listing.entries, { keepKey }),
      matched: listing.matched,
      hiddenUnknownTenant: listing.unknownTenant,
      note: listing.unknownTenant === 0 ? null : `${listing.unknownTenant} dead letter(s) whose value does not decode are not shown: their tenant cannot be read (operators list them with supportstream dlq list)`,
    });
  };
}

/**
 * POST /v1/admin/dead-letters/:topic/:partition/:offset/replay: puts one record of the caller's
 * tenant back on its original topic, once; a second call answers already_replayed and does
 * nothing. replayedBy is the caller's subject.
 */
export function replayDeadLetter(deadLetters: DeadLetterAdmin | undefined): RequestHandler {
  return async (req, res) => {
    const params = replayParams.safeParse(req.params);
    if (!params.success) throw pathError(params.error);
    if (deadLetters === undefined) throw unavailable();
    const principal = principalOf(res);
    const { topic, partition, offset } = params.data;
    const result = await deadLetters.replay({ position: { topic, partition, offset }, by: principal.subject, tenantId: principal.tenantId }).catch((error: unknown) => {
      throw asHttpError(error);
    });
    res.json(result);
  };
}
