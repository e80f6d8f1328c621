import type { ClientBase } from 'pg';
import { summarizeEvent } from './eventSummary.js';
import type { ProjectedEvent } from './projection.js';
import { columnNames, columnOf, nullableOf, type TableSpec } from './table.js';

/**
 * The timeline: every event once, by id, in the order the projector commits them (`seq`). It is
 * append-only, so it has no evolve: an event is one row, and a second copy of an id changes nothing.
 */
export interface EventRow {
  readonly event_id: string;
  readonly conversation_id: string;
  readonly tenant_id: string;
  readonly type: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly occurred_at: string;
  readonly producer: string;
  readonly request_id: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly schema_id: number;
  readonly summary: string;
  /** The event's data; its metadata is the columns above, not stored twice. */
  readonly payload: { readonly data: unknown };
}

export const conversationEventsTable: TableSpec<EventRow> = {
  name: 'conversation_events',
  // seq: the position in a conversation's stream. Numbered while the conversation's lock is held,
  // so seq order is commit order within a conversation (see the projector).
  generated: { seq: 'bigserial NOT NULL' },
  columns: {
    event_id: columnOf.text,
    conversation_id: columnOf.text,
    tenant_id: columnOf.text,
    type: columnOf.text,
    topic: columnOf.text,
    partition: columnOf.integer,
    offset: columnOf.bigint,
    occurred_at: columnOf.timestamptz,
    producer: columnOf.text,
    request_id: columnOf.text,
    correlation_id: columnOf.text,
    causation_id: nullableOf.text,
    schema_id: columnOf.integer,
    summary: columnOf.text,
    payload: columnOf.jsonb,
  },
  primaryKey: ['event_id'],
  indexes: ['CREATE INDEX IF NOT EXISTS conversation_events_by_conversation ON conversation_events (conversation_id, seq)'],
};

/** Every event type reaches the timeline. */
export function toEventRow({ event, topic, partition, offset, schemaId }: ProjectedEvent): EventRow {
  const { metadata } = event;
  return {
    event_id: metadata.eventId,
    conversation_id: metadata.conversationId,
    tenant_id: metadata.tenantId,
    type: event.type,
    topic,
    partition,
    offset,
    occurred_at: metadata.occurredAt.toISOString(),
    producer: metadata.producer,
    request_id: metadata.requestId,
    correlation_id: metadata.correlationId,
    causation_id: metadata.causationId,
    schema_id: schemaId,
    summary: summarizeEvent(event),
    payload: { data: event.data },
  };
}

const COLUMNS = columnNames(conversationEventsTable)
  .map((name) => (name === 'offset' ? '"offset"' : name))
  .join(', ');

/** One statement: inserts the events not seen before, in log order; returns the ids that were new. */
export async function insertEvents(client: ClientBase, rows: readonly EventRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await client.query<{ event_id: string }>(
    `INSERT INTO conversation_events (${COLUMNS})
     SELECT ${COLUMNS} FROM jsonb_populate_recordset(null::conversation_events, $1::jsonb) WITH ORDINALITY ORDER BY ordinality
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [JSON.stringify(rows)],
  );
  return new Set(result.rows.map((row) => row.event_id));
}
