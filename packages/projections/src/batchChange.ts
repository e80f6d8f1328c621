import type { SupportEvent } from '@supportstream/events';
import { agentStatsProjection, type AgentStatsRow } from './projections/agentStats.js';
import { approvalsProjection, closingsOf, type ApprovalRecord } from './projections/approvals.js';
import { conversationsProjection, type ConversationRecord } from './projections/conversations.js';
import { costStatsProjection, type CostStatsRow } from './projections/costStats.js';
import { foldRows } from './projections/projection.js';
import { countClosing, tenantStatsProjection, type TenantStatsRow } from './projections/tenantStats.js';

/** The stored rows a batch evolves (by `keyString` of their key); statistics are not read, they are added to. */
export interface StoredRows {
  readonly conversations: ReadonlyMap<string, ConversationRecord>;
  readonly approvals: ReadonlyMap<string, ApprovalRecord>;
}

/** What a batch writes: whole rows for conversations and approvals, counter deltas for the statistics. All in key order. */
export interface BatchChange {
  readonly conversations: readonly ConversationRecord[];
  readonly approvals: readonly ApprovalRecord[];
  readonly agentStats: readonly AgentStatsRow[];
  readonly costStats: readonly CostStatsRow[];
  readonly tenantStats: readonly TenantStatsRow[];
}

const NOTHING_STORED: StoredRows = { conversations: new Map(), approvals: new Map() };

/**
 * Pure: the read-model change of events not seen before (the caller has already dropped
 * duplicates), given the rows stored so far. Events of one approval must be in log order; the
 * rest may come in any order.
 */
export function foldBatch(events: readonly SupportEvent[], stored: StoredRows = NOTHING_STORED): BatchChange {
  const approvals = foldRows(approvalsProjection, stored.approvals, events);
  const tenantDeltas: readonly TenantStatsRow[] = foldRows(tenantStatsProjection, new Map<string, TenantStatsRow>(), events);
  const tenants = new Map(tenantDeltas.map((row) => [row.tenant_id, row]));
  for (const closing of closingsOf(stored.approvals, approvals)) tenants.set(closing.tenantId, countClosing(tenants.get(closing.tenantId) ?? null, closing));
  return {
    conversations: foldRows(conversationsProjection, stored.conversations, events),
    approvals,
    agentStats: foldRows(agentStatsProjection, new Map(), events),
    costStats: foldRows(costStatsProjection, new Map(), events),
    tenantStats: [...tenants.values()].sort((a, b) => (a.tenant_id < b.tenant_id ? -1 : a.tenant_id > b.tenant_id ? 1 : 0)),
  };
}
