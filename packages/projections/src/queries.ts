import { quoteIdentifier, type Pool } from '@supportstream/db';
import type { ConversationCache } from './cache.js';
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
  statistics(tenantId: string): Promise<TenantStatistics>;
}

const MAX_PAGE = 500;
const pageSize = (limit: number | undefined, fallback: number) => Math.min(MAX_PAGE, Math.max(1, Math.trunc(limit ?? fallback)));

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
  };
}
