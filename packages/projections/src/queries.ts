import { quoteIdentifier, type Pool } from '@supportstream/db';
import type { ConversationCache } from './cache.js';
import type { ConversationStatus } from './projections/conversations.js';
import { LIVE_SCHEMA } from './schema.js';
import {
  toApprovalView,
  toConversationView,
  toEventView,
  type ApprovalRowOut,
  type ApprovalView,
  type ConversationEventView,
  type ConversationRow,
  type ConversationView,
  type EventRowOut,
} from './views.js';

export interface ReadModelOptions {
  readonly pool: Pool;
  readonly schema?: string;
  /** Hot status cache; a miss (or no cache) reads PostgreSQL. */
  readonly cache?: ConversationCache;
}

export interface EventPage {
  readonly events: readonly ConversationEventView[];
  /** Pass as `afterSeq` to get the next page; null when this page was the last one so far. */
  readonly nextAfterSeq: string | null;
}

export interface ApprovalRequestRef {
  readonly eventId: string;
  readonly conversationId: string;
  readonly requestId: string;
  readonly correlationId: string;
  /** The conversation's customer, whose data key seals the decision's comment and edited reply. */
  readonly customerId: string | null;
}

/** Every status a conversation row can have (the `ConversationStatus` union, as values). */
export const CONVERSATION_STATUSES = ['RECEIVED', 'IN_PROGRESS', 'AWAITING_APPROVAL', 'RESOLVED', 'RESOLVED_AFTER_APPROVAL', 'HANDED_OFF', 'FALLBACK', 'FAILED'] as const satisfies readonly ConversationStatus[];
// Fails to compile when ConversationStatus gains a member the list does not have.
const everyStatusListed: Exclude<ConversationStatus, (typeof CONVERSATION_STATUSES)[number]> extends never ? true : never = true;
void everyStatusListed;

/**
 * A place in the conversation list, which is ordered by (updatedAt, conversationId) descending.
 * `updatedAtMicros` is the row's updated_at in microseconds since the epoch, exactly as stored.
 */
export interface ConversationPosition {
  readonly updatedAtMicros: string;
  readonly conversationId: string;
}

export interface ConversationListFilter {
  /** Any of these statuses (absent or empty: every status, including a conversation without one yet). */
  readonly statuses?: readonly ConversationStatus[];
  readonly customerId?: string;
  /** updatedAt ≥ this (ISO time). */
  readonly updatedFrom?: string;
  /** updatedAt < this (ISO time). */
  readonly updatedTo?: string;
  /** Only conversations after this place (the previous page's `next`). */
  readonly after?: ConversationPosition;
  readonly limit?: number;
}

export interface ConversationPage {
  /** Last activity first: updatedAt descending, then conversationId descending. */
  readonly conversations: readonly ConversationView[];
  /** Where the next page starts; null when this page was the last one. */
  readonly next: ConversationPosition | null;
}

/** An event's cause, for the causation tree of a conversation's history. */
export interface CausationLink {
  readonly eventId: string;
  readonly causationId: string | null;
}

/** The tenant's approval queue in two figures. */
export interface ApprovalQueueSize {
  readonly pending: number;
  /** When the longest-waiting pending approval was requested; null when none is pending. */
  readonly oldestRequestedAt: string | null;
}

export interface TenantStatistics {
  readonly tenant: Record<string, number> | null;
  readonly agents: readonly Record<string, number | string>[];
  readonly costs: readonly Record<string, number | string>[];
}

/** Reads for the gateway. Every query takes the tenant: a row of another tenant is "not found". */
export interface ReadModel {
  getConversation(tenantId: string, conversationId: string): Promise<ConversationView | undefined>;
  listEvents(tenantId: string, conversationId: string, options?: { afterSeq?: string; limit?: number }): Promise<EventPage>;
  /** The stream position of an event id (SSE Last-Event-ID may be either a seq or an event id). */
  seqOfEvent(tenantId: string, conversationId: string, eventId: string): Promise<string | undefined>;
  listApprovals(tenantId: string, options?: { status?: string; limit?: number; afterRequestedAt?: string }): Promise<readonly ApprovalView[]>;
  getApproval(tenantId: string, approvalId: string): Promise<ApprovalView | undefined>;
  /** The ApprovalRequested event's envelope: a decision continues its conversation, request and correlation. */
  approvalRequest(tenantId: string, approvalId: string): Promise<ApprovalRequestRef | undefined>;
  /** How many approvals are PENDING and since when the oldest waits (one index range: approvals_by_status). */
  approvalQueueSize(tenantId: string): Promise<ApprovalQueueSize>;
  statistics(tenantId: string): Promise<TenantStatistics>;
  /** The tenant's conversations, last activity first, keyset-paged by (updatedAt, conversationId). */
  listConversations(tenantId: string, filter?: ConversationListFilter): Promise<ConversationPage>;
  /** (eventId, causationId) of every event of the conversation: the causation tree without the payloads. */
  causationLinks(tenantId: string, conversationId: string): Promise<readonly CausationLink[]>;
  /** The approvals of these conversations (the live approval queue re-reads the conversations the projector changed). */
  approvalsOfConversations(tenantId: string, conversationIds: readonly string[]): Promise<readonly ApprovalView[]>;
  /** The approvals with these ids (a resync of the approvals a live queue holds). */
  approvalsById(tenantId: string, approvalIds: readonly string[]): Promise<readonly ApprovalView[]>;
}

const MAX_PAGE = 500;
const pageSize = (limit: number | undefined, fallback: number) => Math.min(MAX_PAGE, Math.max(1, Math.trunc(limit ?? fallback)));

/** One query for the conversation list: only the conditions asked for, so the planner sees plain predicates. */
function conversationListQuery(schema: string, tenantId: string, filter: ConversationListFilter, size: number): { text: string; values: unknown[] } {
  const values: unknown[] = [tenantId];
  const where = ['tenant_id = $1'];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.statuses !== undefined && filter.statuses.length > 0) where.push(`status = ANY(${param(filter.statuses)}::text[])`);
  if (filter.customerId !== undefined) where.push(`customer_id = ${param(filter.customerId)}`);
  if (filter.updatedFrom !== undefined) where.push(`updated_at >= ${param(filter.updatedFrom)}::timestamptz`);
  if (filter.updatedTo !== undefined) where.push(`updated_at < ${param(filter.updatedTo)}::timestamptz`);
  if (filter.after !== undefined) {
    // Exact to the microsecond (integer interval arithmetic), written so the index bounds the scan by updated_at.
    const at = `(timestamptz 'epoch' + ${param(filter.after.updatedAtMicros)}::bigint * interval '1 microsecond')`;
    where.push(`updated_at <= ${at} AND (updated_at < ${at} OR conversation_id < ${param(filter.after.conversationId)})`);
  }
  return {
    text: `SELECT *, (extract(epoch FROM updated_at) * 1000000)::bigint::text AS updated_at_micros
             FROM ${schema}.conversations
            WHERE ${where.join(' AND ')}
            ORDER BY updated_at DESC, conversation_id DESC
            LIMIT ${param(size + 1)}`,
    values,
  };
}

export function createReadModel(options: ReadModelOptions): ReadModel {
  const schema = quoteIdentifier(options.schema ?? LIVE_SCHEMA);
  const { pool, cache } = options;
  return {
    async getConversation(tenantId, conversationId) {
      const cached = await cache?.get(conversationId).catch(() => undefined);
      if (cached) return cached.tenantId === tenantId ? cached : undefined;
      const result = await pool.query<ConversationRow>(`SELECT * FROM ${schema}.conversations WHERE conversation_id = $1 AND tenant_id = $2`, [conversationId, tenantId]);
      const row = result.rows[0];
      return row ? toConversationView(row) : undefined;
    },
    async listEvents(tenantId, conversationId, { afterSeq, limit } = {}) {
      const size = pageSize(limit, 200);
      const result = await pool.query<EventRowOut>(
        `SELECT seq::text AS seq, event_id, conversation_id, tenant_id, type, topic, partition, "offset"::text AS "offset", occurred_at, producer,
                request_id, correlation_id, causation_id, schema_id, summary, payload
           FROM ${schema}.conversation_events
          WHERE conversation_id = $1 AND tenant_id = $2 AND seq > $3::bigint
          ORDER BY conversation_events.seq LIMIT $4`,
        [conversationId, tenantId, afterSeq ?? '0', size],
      );
      const events = result.rows.map(toEventView);
      return { events, nextAfterSeq: events.length === size ? (events.at(-1)?.seq ?? null) : null };
    },
    async seqOfEvent(tenantId, conversationId, eventId) {
      const result = await pool.query<{ seq: string }>(`SELECT seq::text AS seq FROM ${schema}.conversation_events WHERE event_id = $1 AND conversation_id = $2 AND tenant_id = $3`, [eventId, conversationId, tenantId]);
      return result.rows[0]?.seq;
    },
    async listApprovals(tenantId, { status, limit, afterRequestedAt } = {}) {
      const result = await pool.query<ApprovalRowOut>(
        `SELECT * FROM ${schema}.approvals
          WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::timestamptz IS NULL OR requested_at > $3)
          ORDER BY requested_at NULLS LAST, approval_id LIMIT $4`,
        [tenantId, status ?? null, afterRequestedAt ?? null, pageSize(limit, 100)],
      );
      return result.rows.map(toApprovalView);
    },
    async getApproval(tenantId, approvalId) {
      const result = await pool.query<ApprovalRowOut>(`SELECT * FROM ${schema}.approvals WHERE approval_id = $1 AND tenant_id = $2`, [approvalId, tenantId]);
      const row = result.rows[0];
      return row ? toApprovalView(row) : undefined;
    },
    async approvalRequest(tenantId, approvalId) {
      const result = await pool.query<ApprovalRequestRef>(
        `SELECT e.event_id AS "eventId", e.conversation_id AS "conversationId", e.request_id AS "requestId", e.correlation_id AS "correlationId",
                c.customer_id AS "customerId"
           FROM ${schema}.approvals a JOIN ${schema}.conversation_events e ON e.event_id = a.requested_event
           LEFT JOIN ${schema}.conversations c ON c.conversation_id = e.conversation_id
          WHERE a.approval_id = $1 AND a.tenant_id = $2`,
        [approvalId, tenantId],
      );
      return result.rows[0];
    },
    async approvalQueueSize(tenantId) {
      const result = await pool.query<{ pending: number; oldest: Date | null }>(
        `SELECT count(*)::int AS pending, min(requested_at) AS oldest FROM ${schema}.approvals WHERE tenant_id = $1 AND status = 'PENDING'`,
        [tenantId],
      );
      const row = result.rows[0];
      return { pending: row?.pending ?? 0, oldestRequestedAt: row?.oldest ? new Date(row.oldest).toISOString() : null };
    },
    async statistics(tenantId) {
      const numbers = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value])) as Record<string, number | string>;
      const [tenant, agents, costs] = await Promise.all([
        pool.query(`SELECT * FROM ${schema}.tenant_stats WHERE tenant_id = $1`, [tenantId]),
        pool.query(`SELECT * FROM ${schema}.agent_stats WHERE tenant_id = $1 ORDER BY node`, [tenantId]),
        pool.query(`SELECT * FROM ${schema}.cost_stats WHERE tenant_id = $1 ORDER BY model, currency`, [tenantId]),
      ]);
      const tenantRow = tenant.rows[0] as Record<string, unknown> | undefined;
      return {
        tenant: tenantRow ? (numbers(tenantRow) as Record<string, number>) : null,
        agents: agents.rows.map((row: Record<string, unknown>) => numbers(row)),
        costs: costs.rows.map((row: Record<string, unknown>) => numbers(row)),
      };
    },
    async listConversations(tenantId, filter = {}) {
      const size = pageSize(filter.limit, 50);
      const query = conversationListQuery(schema, tenantId, filter, size);
      const result = await pool.query<ConversationRow & { updated_at_micros: string }>(query.text, query.values);
      const rows = result.rows.slice(0, size);
      const last = rows.at(-1);
      return {
        conversations: rows.map(toConversationView),
        next: result.rows.length > size && last !== undefined ? { updatedAtMicros: last.updated_at_micros, conversationId: last.conversation_id } : null,
      };
    },
    async causationLinks(tenantId, conversationId) {
      const result = await pool.query<CausationLink>(
        `SELECT event_id AS "eventId", causation_id AS "causationId" FROM ${schema}.conversation_events WHERE conversation_id = $1 AND tenant_id = $2`,
        [conversationId, tenantId],
      );
      return result.rows;
    },
    async approvalsOfConversations(tenantId, conversationIds) {
      if (conversationIds.length === 0) return [];
      const result = await pool.query<ApprovalRowOut>(
        `SELECT * FROM ${schema}.approvals WHERE conversation_id = ANY($1::text[]) AND tenant_id = $2 ORDER BY requested_at NULLS LAST, approval_id`,
        [conversationIds, tenantId],
      );
      return result.rows.map(toApprovalView);
    },
    async approvalsById(tenantId, approvalIds) {
      if (approvalIds.length === 0) return [];
      const result = await pool.query<ApprovalRowOut>(
        `SELECT * FROM ${schema}.approvals WHERE approval_id = ANY($1::text[]) AND tenant_id = $2 ORDER BY requested_at NULLS LAST, approval_id`,
        [approvalIds, tenantId],
      );
      return result.rows.map(toApprovalView);
    },
  };
}
