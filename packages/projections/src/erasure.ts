import { advisoryLockKey, quoteIdentifier, withTransaction, type Pool } from '@supportstream/db';
import { erasePersonalFields, reviveJsonData, type EventType, type SupportEvent } from '@supportstream/events';
import type { ClientBase } from 'pg';
import { approvalsProjection, saveApprovals } from './projections/approvals.js';
import { conversationsProjection, saveConversations } from './projections/conversations.js';
import { summarizeEvent } from './projections/eventSummary.js';
import { foldRows } from './projections/projection.js';
import { LIVE_SCHEMA } from './schema.js';

export interface ReadModelErasure {
  readonly tenantId: string;
  readonly customerId: string;
  /** The read-model schema (default the live one). */
  readonly schema?: string;
}

export interface ReadModelErasureReport {
  readonly conversationIds: readonly string[];
  readonly events: number;
  readonly approvals: number;
}

interface StoredEvent {
  readonly event_id: string;
  readonly conversation_id: string;
  readonly tenant_id: string;
  readonly type: EventType;
  readonly occurred_at: Date;
  readonly producer: string;
  readonly request_id: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly payload: { readonly data: unknown };
}

/** The stored timeline row as the event a rebuild decodes once the customer's key is gone. */
function erasedEvent(row: StoredEvent): SupportEvent {
  const metadata = {
    eventId: row.event_id,
    type: row.type,
    occurredAt: row.occurred_at,
    conversationId: row.conversation_id,
    requestId: row.request_id,
    tenantId: row.tenant_id,
    causationId: row.causation_id,
    correlationId: row.correlation_id,
    producer: row.producer,
  };
  return { type: row.type, metadata, data: reviveJsonData(row.type, erasePersonalFields(row.type, row.payload.data)) } as SupportEvent;
}

/**
 * Erases a customer from a read model: their conversations' timelines get `[erased]` in every
 * personal field, and their conversations and approvals are folded again from those timelines.
 * That is exactly what a rebuild reads from the log once the customer's data key is deleted
 * (sealed fields then decode as `[erased]`), so `projections rebuild` still equals the live model.
 * Counters hold no personal data and are left as they are.
 *
 * Takes the projector's per-conversation locks, so a live batch of the same conversations waits
 * for it (and then folds onto the erased rows). Idempotent.
 */
export async function eraseCustomerReadModel(pool: Pool, erasure: ReadModelErasure): Promise<ReadModelErasureReport> {
  const schemaName = erasure.schema ?? LIVE_SCHEMA;
  return withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schemaName)}`);
    const found = await client.query<{ conversation_id: string }>(
      'SELECT conversation_id FROM conversations WHERE tenant_id = $1 AND customer_id = $2 ORDER BY conversation_id',
      [erasure.tenantId, erasure.customerId],
    );
    const conversationIds = found.rows.map((row) => row.conversation_id);
    if (conversationIds.length === 0) return { conversationIds, events: 0, approvals: 0 };
    await lockConversations(client, schemaName, conversationIds);
    const stored = await client.query<StoredEvent>(
      `SELECT event_id, conversation_id, tenant_id, type, occurred_at, producer, request_id, correlation_id, causation_id, payload
         FROM conversation_events WHERE conversation_id = ANY($1::text[]) AND tenant_id = $2 ORDER BY seq`,
      [conversationIds, erasure.tenantId],
    );
    const events = stored.rows.map(erasedEvent);
    await client.query(
      `UPDATE conversation_events AS e SET summary = u.summary, payload = u.payload
         FROM jsonb_to_recordset($1::jsonb) AS u(event_id text, summary text, payload jsonb)
        WHERE e.event_id = u.event_id`,
      [JSON.stringify(events.map((event) => ({ event_id: event.metadata.eventId, summary: summarizeEvent(event), payload: { data: event.data } })))],
    );
    const conversations = foldRows(conversationsProjection, new Map(), events);
    await saveConversations(client, conversations);
    const approvals = foldRows(approvalsProjection, new Map(), events);
    await saveApprovals(client, approvals);
    return { conversationIds, events: events.length, approvals: approvals.length };
  });
}

async function lockConversations(client: ClientBase, schemaName: string, conversationIds: readonly string[]): Promise<void> {
  const locks = conversationIds.map((id) => advisoryLockKey(`read-model:${schemaName}:${id}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await client.query('SELECT pg_advisory_xact_lock(key) FROM (SELECT unnest($1::bigint[]) AS key ORDER BY 1) AS sorted', [locks.map(String)]);
}
