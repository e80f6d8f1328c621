import type { SupportEvent } from '@supportstream/events';
import type { ApprovalClosing, ClosedStatus } from './approvals.js';
import type { RowProjection } from './projection.js';
import { zeroCounters, type Counters } from './statistics.js';
import { columnOf, type Column, type TableSpec } from './table.js';

export const TENANT_COUNTERS = [
  'requests',
  'runs_completed',
  'resolved',
  'resolved_after_approval',
  'handed_off',
  'fallback',
  'failed',
  'escalated',
  'handling_ms',
  'quality_sum_micros',
  'quality_count',
  'approvals_requested',
  'approvals_approved',
  'approvals_rejected',
  'approvals_edited',
  'approvals_expired',
  'replies',
  'alerts',
  'step_failures',
] as const;
type TenantCounter = (typeof TENANT_COUNTERS)[number];
export type TenantStatsRow = { readonly tenant_id: string } & Counters<typeof TENANT_COUNTERS>;
type TenantEvent = SupportEvent<'RequestReceived' | 'RunCompleted' | 'RequestOutcome' | 'StepFailed' | 'ReplyReady' | 'SupervisorAlert' | 'ApprovalRequested'>;

export const tenantStatsTable: TableSpec<TenantStatsRow> = {
  name: 'tenant_stats',
  columns: { tenant_id: columnOf.text, ...(Object.fromEntries(TENANT_COUNTERS.map((name) => [name, columnOf.bigint])) as Record<TenantCounter, Column>) },
  primaryKey: ['tenant_id'],
};

const OUTCOME_COUNTER = {
  RESOLVED: 'resolved',
  RESOLVED_AFTER_APPROVAL: 'resolved_after_approval',
  HANDED_OFF: 'handed_off',
  FALLBACK: 'fallback',
  FAILED: 'failed',
} as const satisfies Record<SupportEvent<'RunCompleted'>['data']['outcome'], TenantCounter>;

const CLOSING_COUNTER = {
  APPROVED: 'approvals_approved',
  REJECTED: 'approvals_rejected',
  EDITED: 'approvals_edited',
  EXPIRED: 'approvals_expired',
} as const satisfies Record<ClosedStatus, TenantCounter>;

const zeroTenant = (tenantId: string): TenantStatsRow => ({ tenant_id: tenantId, ...zeroCounters(TENANT_COUNTERS) });
type Draft = { -readonly [K in keyof TenantStatsRow]: TenantStatsRow[K] };
function plus(row: TenantStatsRow, counter: TenantCounter, amount = 1): TenantStatsRow {
  const next: Draft = { ...row };
  next[counter] += amount;
  return next;
}

/** Pure: a tenant's counters after one event. */
export function evolveTenantStats(current: TenantStatsRow | null, event: TenantEvent): TenantStatsRow {
  const row = current ?? zeroTenant(event.metadata.tenantId);
  switch (event.type) {
    case 'RequestReceived':
      return plus(row, 'requests');
    case 'RunCompleted': {
      const next: Draft = { ...row };
      next.runs_completed += 1;
      next[OUTCOME_COUNTER[event.data.outcome]] += 1;
      return next;
    }
    case 'RequestOutcome': {
      const { escalated, handlingTimeMs, qualityScore } = event.data;
      const next: Draft = { ...row };
      if (escalated) next.escalated += 1;
      next.handling_ms += handlingTimeMs;
      if (qualityScore !== null) {
        // Integers, so sums do not depend on the order they are added in (a rebuild adds them in
        // other batches than the live service did, and must end with the same value).
        next.quality_sum_micros += Math.round(qualityScore * 1_000_000);
        next.quality_count += 1;
      }
      return next;
    }
    case 'StepFailed':
      return plus(row, 'step_failures');
    case 'ReplyReady':
      return plus(row, 'replies');
    case 'SupervisorAlert':
      return plus(row, 'alerts');
    case 'ApprovalRequested':
      return plus(row, 'approvals_requested');
    default: {
      const unknownEvent: never = event;
      throw new Error(`unhandled event type ${(unknownEvent as SupportEvent).type}`);
    }
  }
}

/**
 * Decisions and expiries are counted when they close an approval (first one wins), which only
 * the approvals projection knows: it hands its closings over.
 */
export function countClosing(current: TenantStatsRow | null, closing: ApprovalClosing): TenantStatsRow {
  return plus(current ?? zeroTenant(closing.tenantId), CLOSING_COUNTER[closing.status]);
}

export const tenantStatsProjection: RowProjection<TenantStatsRow, TenantEvent['type']> = {
  table: tenantStatsTable,
  canHandle: new Set<TenantEvent['type']>(['RequestReceived', 'RunCompleted', 'RequestOutcome', 'StepFailed', 'ReplyReady', 'SupervisorAlert', 'ApprovalRequested']),
  keyOf: (event) => [event.metadata.tenantId],
  evolve: evolveTenantStats,
};
