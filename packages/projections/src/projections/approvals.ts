import type { SupportEvent } from '@supportstream/events';
import type { ClientBase } from 'pg';
import { keyString, type RowProjection } from './projection.js';
import { columnOf, loadRows, nullableOf, upsertRows, type TableSpec } from './table.js';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EDITED' | 'EXPIRED';
export type ClosedStatus = Exclude<ApprovalStatus, 'PENDING'>;
type ApprovalEvent = SupportEvent<'ApprovalRequested' | 'ApprovalDecided' | 'ApprovalExpired'>;

export interface ApprovalRecord {
  readonly approval_id: string;
  readonly conversation_id: string;
  readonly tenant_id: string;
  readonly run_id: string | null;
  readonly status: ApprovalStatus;
  readonly risk: string | null;
  readonly risk_score: number | null;
  readonly reason: string | null;
  readonly proposed_reply: string | null;
  readonly proposed_actions: unknown;
  readonly requested_at: string | null;
  readonly expires_at: string | null;
  readonly decision: string | null;
  readonly decided_by: string | null;
  readonly comment: string | null;
  readonly edited_reply: string | null;
  readonly decided_at: string | null;
  readonly requested_event: string | null;
  readonly decided_event: string | null;
}

export const approvalsTable: TableSpec<ApprovalRecord> = {
  name: 'approvals',
  columns: {
    approval_id: columnOf.text,
    conversation_id: columnOf.text,
    tenant_id: columnOf.text,
    run_id: nullableOf.text,
    status: columnOf.text,
    risk: nullableOf.text,
    risk_score: nullableOf.double,
    reason: nullableOf.text,
    proposed_reply: nullableOf.text,
    proposed_actions: nullableOf.jsonb,
    requested_at: nullableOf.timestamptz,
    expires_at: nullableOf.timestamptz,
    decision: nullableOf.text,
    decided_by: nullableOf.text,
    comment: nullableOf.text,
    edited_reply: nullableOf.text,
    decided_at: nullableOf.timestamptz,
    requested_event: nullableOf.text,
    decided_event: nullableOf.text,
  },
  primaryKey: ['approval_id'],
  indexes: [
    'CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals (tenant_id, status, requested_at)',
    // The live approval queue re-reads the approvals of the conversations a NOTIFY names.
    'CREATE INDEX IF NOT EXISTS approvals_by_conversation ON approvals (conversation_id)',
  ],
};

function pendingApproval(event: ApprovalEvent): ApprovalRecord {
  return {
    approval_id: event.data.approvalId,
    conversation_id: event.metadata.conversationId,
    tenant_id: event.metadata.tenantId,
    run_id: null,
    status: 'PENDING',
    risk: null,
    risk_score: null,
    reason: null,
    proposed_reply: null,
    proposed_actions: null,
    requested_at: null,
    expires_at: null,
    decision: null,
    decided_by: null,
    comment: null,
    edited_reply: null,
    decided_at: null,
    requested_event: null,
    decided_event: null,
  };
}

/**
 * Pure, and applied in log order: all events of one approval share a conversation, hence a
 * partition, so log order is the order the approvals consumer saw them. The first decision or
 * expiry closes the approval; later ones (refused by the pipeline) return the row unchanged.
 */
export function evolveApproval(current: ApprovalRecord | null, event: ApprovalEvent): ApprovalRecord {
  const row = current ?? pendingApproval(event);
  switch (event.type) {
    case 'ApprovalRequested':
      if (row.requested_event !== null) return row;
      return {
        ...row,
        run_id: event.data.runId,
        risk: event.data.risk,
        risk_score: event.data.riskScore,
        reason: event.data.reason,
        proposed_reply: event.data.proposedReply,
        proposed_actions: event.data.proposedActions,
        requested_at: event.metadata.occurredAt.toISOString(),
        expires_at: event.data.expiresAt.toISOString(),
        requested_event: event.metadata.eventId,
      };
    case 'ApprovalDecided':
      if (row.status !== 'PENDING') return row;
      return {
        ...row,
        status: event.data.decision,
        decision: event.data.decision,
        decided_by: event.data.decidedBy,
        comment: event.data.comment,
        edited_reply: event.data.editedReply,
        decided_at: event.metadata.occurredAt.toISOString(),
        decided_event: event.metadata.eventId,
      };
    case 'ApprovalExpired':
      if (row.status !== 'PENDING') return row;
      return {
        ...row,
        status: 'EXPIRED',
        decision: null,
        decided_by: null,
        comment: event.data.fallbackPath,
        edited_reply: null,
        decided_at: event.data.expiredAt.toISOString(),
        decided_event: event.metadata.eventId,
      };
    default: {
      const unknownEvent: never = event;
      throw new Error(`unhandled event type ${(unknownEvent as SupportEvent).type}`);
    }
  }
}

export const approvalsProjection: RowProjection<ApprovalRecord, ApprovalEvent['type']> = {
  table: approvalsTable,
  canHandle: new Set<ApprovalEvent['type']>(['ApprovalRequested', 'ApprovalDecided', 'ApprovalExpired']),
  keyOf: (event) => [event.data.approvalId],
  evolve: evolveApproval,
};

/** An approval that a batch closed (it was pending before): counted once in the tenant's statistics. */
export interface ApprovalClosing {
  readonly tenantId: string;
  readonly status: ClosedStatus;
}

export function closingsOf(before: ReadonlyMap<string, ApprovalRecord>, after: readonly ApprovalRecord[]): ApprovalClosing[] {
  return after
    .filter((row) => row.status !== 'PENDING' && (before.get(keyString([row.approval_id]))?.status ?? 'PENDING') === 'PENDING')
    .map((row) => ({ tenantId: row.tenant_id, status: row.status as ClosedStatus }));
}

/** One query: the stored approvals of a batch, locked in id order. */
export async function loadApprovals(client: ClientBase, ids: readonly string[]): Promise<Map<string, ApprovalRecord>> {
  const rows = await loadRows(client, approvalsTable, ids.map((id) => [id]));
  return new Map(rows.map((row) => [keyString([row.approval_id]), row]));
}

export async function saveApprovals(client: ClientBase, rows: readonly ApprovalRecord[]): Promise<void> {
  await upsertRows(client, approvalsTable, rows, { mode: 'replace', keep: ['conversation_id', 'tenant_id'] });
}
