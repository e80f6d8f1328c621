import type { CheckpointHistory } from '@supportstream/pipeline';
import type { ConversationEventView, ReadModel } from '@supportstream/projections';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { causationTree } from '../causation.js';
import { notFound, validationError } from '../httpErrors.js';
import { viewFor } from '../personalData.js';
import type { SchemaVersion, SchemaVersionLookup } from '../schemaVersions.js';
import { afterSeq, conversationIdParam, visibleConversation } from './conversations.js';
import { ID_PATTERN } from './requests.js';

/** Roles that may read a conversation's audit trail and graph checkpoints (never its customer). */
export const AUDIT_ROLES = ['service', 'supervisor', 'admin'] as const;

const CHECKPOINT_ID = new RegExp(ID_PATTERN);

export const historyQuery = z.strictObject({
  after: afterSeq.optional(),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').default(500),
});

export interface AuditDeps {
  readonly readModel: ReadModel;
  readonly schemaVersions: SchemaVersionLookup;
}

/** One event of the history: where the log holds it, which schema wrote it, what caused it. */
function historyEntry(event: ConversationEventView, schema: SchemaVersion, place: { parentEventId: string | null; chain: readonly string[] } | undefined) {
  return {
    seq: event.seq,
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    topic: event.topic,
    partition: event.partition,
    offset: event.offset,
    schema: { id: event.schemaId, subject: schema.subject, version: schema.version },
    producer: event.producer,
    requestId: event.requestId,
    correlationId: event.correlationId,
    causationId: event.causationId,
    parentEventId: place?.parentEventId ?? null,
    ancestorIds: place?.chain ?? [],
    depth: place?.chain.length ?? 0,
    summary: event.summary,
    data: event.data,
  };
}

/**
 * GET /v1/conversations/:id/history: the conversation's events as the read model's timeline holds
 * them (the projected copy of the log, one row per event id, in projection order: each partition's
 * offset order), with their place in the log, the schema subject and version, and the causation
 * tree. Kafka itself is read by `supportstream audit history`, which also lists dead-lettered records.
 */
export function conversationHistory(deps: AuditDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const query = historyQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const conversation = await visibleConversation(deps.readModel, principal, conversationIdParam(req.params));
    const { conversationId } = conversation;
    const [page, links] = await Promise.all([
      deps.readModel.listEvents(principal.tenantId, conversationId, { ...(query.data.after === undefined ? {} : { afterSeq: query.data.after }), limit: query.data.limit }),
      deps.readModel.causationLinks(principal.tenantId, conversationId),
    ]);
    // The causes are looked up over the whole conversation: a cause may be on another page, or projected after its effect.
    const tree = causationTree(links);
    const schemaKey = (event: ConversationEventView) => `${event.schemaId}|${event.topic}|${event.type}`;
    const schemas = new Map<string, Promise<SchemaVersion>>();
    for (const event of page.events) if (!schemas.has(schemaKey(event))) schemas.set(schemaKey(event), deps.schemaVersions.resolve(event.schemaId, event.topic, event.type));
    const resolved = new Map(await Promise.all([...schemas].map(async ([key, pending]) => [key, await pending] as const)));
    const events = page.events.map((event) => historyEntry(event, resolved.get(schemaKey(event)) ?? { subject: null, version: null }, tree.get(event.eventId)));
    res.json({ conversationId, source: 'read-model', events: viewFor(principal, events), nextAfter: page.nextAfterSeq });
  };
}

export const checkpointsQuery = z.strictObject({
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
});

export interface CheckpointDeps {
  readonly readModel: ReadModel;
  readonly checkpoints: CheckpointHistory;
}

/** GET /v1/conversations/:id/checkpoints: the graph checkpoints of the conversation's thread, oldest first. */
export function listCheckpoints(deps: CheckpointDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const query = checkpointsQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const { conversationId } = await visibleConversation(deps.readModel, principal, conversationIdParam(req.params));
    // The thread id is the conversation id; the read model above is what says whose conversation it is.
    const { checkpoints, truncated } = await deps.checkpoints.list(conversationId, { limit: query.data.limit });
    res.json({ conversationId, checkpoints, truncated });
  };
}

/**
 * GET /v1/conversations/:id/checkpoints/:checkpointId (`latest` allowed): the graph state at a
 * checkpoint. The state holds what the customer wrote in clear (the agents need it); personal data
 * in it is masked here as in every answer to a role that is not the customer.
 */
export function getCheckpoint(deps: CheckpointDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const { conversationId } = await visibleConversation(deps.readModel, principal, conversationIdParam(req.params));
    const raw = (req.params as Record<string, string | undefined>)['checkpointId'] ?? '';
    if (raw !== 'latest' && !CHECKPOINT_ID.test(raw)) throw notFound('checkpoint');
    const state = await deps.checkpoints.state(conversationId, raw === 'latest' ? undefined : raw);
    if (state === undefined) throw notFound('checkpoint');
    res.json(viewFor(principal, { conversationId, ...state }));
  };
}
