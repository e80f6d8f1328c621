import { EVENT_TYPES, type SupportEvent } from '@supportstream/events';
import type { ClientBase } from 'pg';
import type { ConversationRow } from '../views.js';
import { keyString, type RowProjection } from './projection.js';
import { columnOf, loadRows, nullableOf, upsertRows, type TableSpec } from './table.js';

export type ConversationStatus =
  | 'RECEIVED'
  | 'IN_PROGRESS'
  | 'AWAITING_APPROVAL'
  | 'RESOLVED'
  | 'RESOLVED_AFTER_APPROVAL'
  | 'HANDED_OFF'
  | 'FALLBACK'
  | 'FAILED';

/**
 * One conversation's state. Fields fed by several topics are "latest wins" by an ordering key
 * (`*_key`) rather than by arrival, and counters are sums, so the row is a function of the set of
 * events: the live service (topics interleaved as they arrive) and a rebuild (topics read at
 * another pace) end equal.
 */
export interface ConversationRecord {
  readonly conversation_id: string;
  readonly tenant_id: string;
  readonly customer_id: string | null;
  readonly channel: string | null;
  readonly customer_tier: string | null;
  readonly subject: string | null;
  readonly last_message: string | null;
  readonly last_request_id: string | null;
  readonly request_key: string | null;
  readonly status: ConversationStatus | null;
  readonly status_key: string | null;
  readonly current_step: string | null;
  readonly next_step: string | null;
  readonly step_key: string | null;
  readonly triage: unknown;
  readonly triage_key: string | null;
  readonly outcome: string | null;
  readonly final_reply: string | null;
  readonly citations: unknown;
  readonly reply_key: string | null;
  readonly request_count: number;
  readonly step_count: number;
  readonly failure_count: number;
  readonly event_count: number;
  readonly opened_at: string;
  readonly updated_at: string;
}

export const conversationsTable: TableSpec<ConversationRecord> = {
  name: 'conversations',
  columns: {
    conversation_id: columnOf.text,
    tenant_id: columnOf.text,
    customer_id: nullableOf.text,
    channel: nullableOf.text,
    customer_tier: nullableOf.text,
    subject: nullableOf.text,
    last_message: nullableOf.text,
    last_request_id: nullableOf.text,
    request_key: nullableOf.text,
    status: nullableOf.text,
    status_key: nullableOf.text,
    current_step: nullableOf.text,
    next_step: nullableOf.text,
    step_key: nullableOf.text,
    triage: nullableOf.jsonb,
    triage_key: nullableOf.text,
    outcome: nullableOf.text,
    final_reply: nullableOf.text,
    citations: nullableOf.jsonb,
    reply_key: nullableOf.text,
    request_count: columnOf.integer,
    step_count: columnOf.integer,
    failure_count: columnOf.integer,
    event_count: columnOf.integer,
    opened_at: columnOf.timestamptz,
    updated_at: columnOf.timestamptz,
  },
  primaryKey: ['conversation_id'],
  indexes: [
    'CREATE INDEX IF NOT EXISTS conversations_by_tenant ON conversations (tenant_id, updated_at DESC)',
    // A customer's own list (GET /v1/conversations as a customer) without scanning the whole tenant.
    'CREATE INDEX IF NOT EXISTS conversations_by_customer ON conversations (tenant_id, customer_id, updated_at DESC)',
  ],
};

/**
 * Ordering key of a "latest wins" field: occurredAt, then a rank per event type for events of the
 * same millisecond (an approval request outranks the step that raised it, a run's end outranks
 * its last step), then the event id. Fixed width, so text comparison is the order.
 */
export function orderingKey(event: SupportEvent, rank: number): string {
  return `${event.metadata.occurredAt.getTime().toString().padStart(15, '0')}|${rank}|${event.metadata.eventId}`;
}

const STATUS_RANK = { RequestReceived: 0, AgentStepCompleted: 1, StepFailed: 1, ApprovalRequested: 3, RunCompleted: 4 } as const;

const newer = (key: string, current: string | null): boolean => current === null || key > current;

function parseOutput(output: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(output);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The triage step's decision from its output (the whole output if it has no `triageDecision`). */
function triageDecision(output: string): unknown {
  const parsed = parseOutput(output);
  return parsed['triageDecision'] ?? parsed;
}

function emptyConversation(event: SupportEvent): ConversationRecord {
  const at = event.metadata.occurredAt.toISOString();
  return {
    conversation_id: event.metadata.conversationId,
    tenant_id: event.metadata.tenantId,
    customer_id: null,
    channel: null,
    customer_tier: null,
    subject: null,
    last_message: null,
    last_request_id: null,
    request_key: null,
    status: null,
    status_key: null,
    current_step: null,
    next_step: null,
    step_key: null,
    triage: null,
    triage_key: null,
    outcome: null,
    final_reply: null,
    citations: null,
    reply_key: null,
    request_count: 0,
    step_count: 0,
    failure_count: 0,
    event_count: 0,
    opened_at: at,
    updated_at: at,
  };
}

type Draft = { -readonly [K in keyof ConversationRecord]: ConversationRecord[K] };

function setStatus(row: Draft, key: string, status: ConversationStatus): void {
  if (newer(key, row.status_key)) {
    row.status = status;
    row.status_key = key;
  }
}

/**
 * Pure: returns the conversation after one event (a new object; the argument is left as it was);
 * the order of calls does not matter. The change is made on a private copy: one object per event
 * rather than one per changed field group keeps a rebuild's fold cheap.
 */
export function evolveConversation(current: ConversationRecord | null, event: SupportEvent): ConversationRecord {
  const row: Draft = { ...(current ?? emptyConversation(event)) };
  const at = event.metadata.occurredAt.toISOString();
  row.event_count += 1;
  if (at < row.opened_at) row.opened_at = at;
  if (at > row.updated_at) row.updated_at = at;
  switch (event.type) {
    case 'RequestReceived': {
      const key = orderingKey(event, STATUS_RANK.RequestReceived);
      row.request_count += 1;
      if (newer(key, row.request_key)) {
        row.request_key = key;
        row.customer_id = event.data.customerId;
        row.channel = event.data.channel;
        row.customer_tier = event.data.customerTier;
        row.subject = event.data.subject;
        row.last_message = event.data.message;
        row.last_request_id = event.metadata.requestId;
      }
      setStatus(row, key, 'RECEIVED');
      return row;
    }
    case 'AgentStepCompleted': {
      const key = orderingKey(event, STATUS_RANK.AgentStepCompleted);
      row.step_count += 1;
      if (newer(key, row.step_key)) {
        row.step_key = key;
        row.current_step = event.data.node;
        row.next_step = event.data.next;
      }
      if (event.data.node === 'triage' && newer(key, row.triage_key)) {
        row.triage = triageDecision(event.data.output);
        row.triage_key = key;
      }
      setStatus(row, key, 'IN_PROGRESS');
      return row;
    }
    case 'StepFailed':
      row.failure_count += 1;
      setStatus(row, orderingKey(event, STATUS_RANK.StepFailed), event.data.willRetry ? 'IN_PROGRESS' : 'FAILED');
      return row;
    case 'ApprovalRequested':
      setStatus(row, orderingKey(event, STATUS_RANK.ApprovalRequested), 'AWAITING_APPROVAL');
      return row;
    case 'RunCompleted': {
      const key = orderingKey(event, STATUS_RANK.RunCompleted);
      if (newer(key, row.reply_key)) {
        row.reply_key = key;
        row.outcome = event.data.outcome;
        row.final_reply = event.data.finalReply;
        row.citations = event.data.citations;
      }
      setStatus(row, key, event.data.outcome);
      return row;
    }
    case 'ReplyReady':
      // The reply may come before the request is seen: keep the first known customer.
      row.customer_id ??= event.data.customerId;
      return row;
    // Decisions and expiry change the status through the step that follows them (a refused late
    // decision must not reopen a closed conversation); the rest only count as events.
    case 'ApprovalDecided':
    case 'ApprovalExpired':
    case 'SupervisorAlert':
    case 'StepMetrics':
    case 'LlmUsage':
    case 'RequestOutcome':
      return row;
    // Not in canHandle (below): an operator's replay is no step of the conversation, and one of an
    // undecodable record names no conversation at all (dlq-<replayId>, tenant _operator). The
    // replayed record itself updates the row when it is consumed again.
    case 'DeadLetterReplayed':
      return row;
    default: {
      const unknownEvent: never = event;
      throw new Error(`unhandled event type ${(unknownEvent as SupportEvent).type}`);
    }
  }
}

export const conversationsProjection: RowProjection<ConversationRecord> = {
  table: conversationsTable,
  canHandle: new Set(EVENT_TYPES.filter((type) => type !== 'DeadLetterReplayed')),
  keyOf: (event) => [event.metadata.conversationId],
  evolve: evolveConversation,
};

/** One query: the stored conversations of a batch, by id (the caller holds their advisory locks). */
export async function loadConversations(client: ClientBase, ids: readonly string[]): Promise<Map<string, ConversationRecord>> {
  const rows = await loadRows(client, conversationsTable, ids.map((id) => [id]));
  return new Map(rows.map((row) => [keyString([row.conversation_id]), row]));
}

/** One statement: writes the evolved conversations and returns them as stored (the cache's copy). */
export function saveConversations(client: ClientBase, rows: readonly ConversationRecord[]): Promise<ConversationRow[]> {
  return upsertRows<ConversationRecord, ConversationRow>(client, conversationsTable, rows, { mode: 'replace', keep: ['tenant_id'], returning: true });
}
