import type { ClientBase } from 'pg';
import { AGENT_COUNTERS, approvalCounter, TENANT_COUNTERS, type ApprovalChange, type ApprovalStatus, type BatchDelta, type EventRow, type TenantStatsDelta } from './fold.js';

// Every statement takes its rows as one JSON parameter (jsonb_populate_recordset over the table's
// own row type): one round trip per table per batch, whatever the batch size.

const EVENT_COLUMNS = 'event_id, conversation_id, tenant_id, type, topic, partition, "offset", occurred_at, producer, request_id, correlation_id, causation_id, schema_id, summary, payload';

/** Inserts the events not seen before, in log order; returns the ids that were new. */
export async function insertEvents(client: ClientBase, rows: readonly EventRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await client.query<{ event_id: string }>(
    `INSERT INTO conversation_events (${EVENT_COLUMNS})
     SELECT ${EVENT_COLUMNS} FROM jsonb_populate_recordset(null::conversation_events, $1::jsonb) WITH ORDINALITY ORDER BY ordinality
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [JSON.stringify(rows)],
  );
  return new Set(result.rows.map((row) => row.event_id));
}

const latestWins = (key: string, columns: readonly string[]) =>
  columns.map((column) => `${column} = CASE WHEN EXCLUDED.${key} > COALESCE(c.${key}, '') THEN EXCLUDED.${column} ELSE c.${column} END`);

const CONVERSATION_UPDATE = [
  // customer_id may come from a ReplyReady before the request is seen: keep the first known one.
  "customer_id = CASE WHEN EXCLUDED.request_key > COALESCE(c.request_key, '') THEN EXCLUDED.customer_id ELSE COALESCE(c.customer_id, EXCLUDED.customer_id) END",
  ...latestWins('request_key', ['channel', 'customer_tier', 'subject', 'last_message', 'last_request_id', 'request_key']),
  ...latestWins('status_key', ['status', 'status_key']),
  ...latestWins('step_key', ['current_step', 'next_step', 'step_key']),
  ...latestWins('triage_key', ['triage', 'triage_key']),
  ...latestWins('reply_key', ['outcome', 'final_reply', 'citations', 'reply_key']),
  ...['request_count', 'step_count', 'failure_count', 'event_count'].map((column) => `${column} = c.${column} + EXCLUDED.${column}`),
  'opened_at = LEAST(c.opened_at, EXCLUDED.opened_at)',
  'updated_at = GREATEST(c.updated_at, EXCLUDED.updated_at)',
].join(',\n    ');

export async function upsertConversations(client: ClientBase, deltas: BatchDelta['conversations']): Promise<void> {
  if (deltas.length === 0) return;
  // The "latest wins" CASEs read the old key (c.*_key) before it is replaced: every SET
  // expression sees the row as it was, so the key columns can be updated in the same statement.
  await client.query(
    `INSERT INTO conversations AS c
     SELECT * FROM jsonb_populate_recordset(null::conversations, $1::jsonb) ORDER BY conversation_id
     ON CONFLICT (conversation_id) DO UPDATE SET
    ${CONVERSATION_UPDATE}`,
    [JSON.stringify(deltas)],
  );
}

interface ApprovalRow {
  approval_id: string;
  conversation_id: string;
  tenant_id: string;
  run_id: string | null;
  status: ApprovalStatus;
  risk: string | null;
  risk_score: number | null;
  reason: string | null;
  proposed_reply: string | null;
  proposed_actions: unknown;
  requested_at: string | Date | null;
  expires_at: string | Date | null;
  decision: string | null;
  decided_by: string | null;
  comment: string | null;
  edited_reply: string | null;
  decided_at: string | Date | null;
  requested_event: string | null;
  decided_event: string | null;
}

/**
 * Applies approval events in log order. All events of one approval share a conversation, hence a
 * partition, so log order is the order the approvals consumer saw them: the first decision or
 * expiry closes the approval and later ones (refused by the pipeline) change nothing here either.
 * Returns the closings, to be counted in the tenant statistics.
 */
export async function applyApprovals(client: ClientBase, changes: readonly ApprovalChange[]): Promise<TenantStatsDelta[]> {
  if (changes.length === 0) return [];
  const ids = [...new Set(changes.map((change) => change.approvalId))].sort();
  const existing = await client.query<ApprovalRow>('SELECT * FROM approvals WHERE approval_id = ANY($1::text[]) ORDER BY approval_id FOR UPDATE', [ids]);
  const rows = new Map(existing.rows.map((row) => [row.approval_id, row]));
  const changed = new Set<string>();
  const closings = new Map<string, TenantStatsDelta>();
  for (const change of changes) {
    let row = rows.get(change.approvalId);
    if (!row) {
      row = {
        approval_id: change.approvalId,
        conversation_id: change.conversationId,
        tenant_id: change.tenantId,
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
      rows.set(change.approvalId, row);
    }
    if (change.kind === 'requested') {
      if (row.requested_event !== null) continue;
      Object.assign(row, change.row, { requested_event: change.eventId });
    } else {
      if (row.status !== 'PENDING') continue;
      row.status = change.status;
      row.decision = change.status === 'EXPIRED' ? null : change.status;
      row.decided_by = change.decidedBy;
      row.comment = change.comment;
      row.edited_reply = change.editedReply;
      row.decided_at = change.decidedAt;
      row.decided_event = change.eventId;
      let tenant = closings.get(row.tenant_id);
      if (!tenant) {
        tenant = { tenant_id: row.tenant_id, ...Object.fromEntries(TENANT_COUNTERS.map((name) => [name, 0])) } as TenantStatsDelta;
        closings.set(row.tenant_id, tenant);
      }
      tenant[approvalCounter(change.status)] += 1;
    }
    changed.add(change.approvalId);
  }
  const updates = [...changed].sort().map((id) => rows.get(id));
  if (updates.length > 0) {
    await client.query(
      `INSERT INTO approvals AS a
       SELECT * FROM jsonb_populate_recordset(null::approvals, $1::jsonb) ORDER BY approval_id
       ON CONFLICT (approval_id) DO UPDATE SET
         run_id = EXCLUDED.run_id, status = EXCLUDED.status, risk = EXCLUDED.risk, risk_score = EXCLUDED.risk_score,
         reason = EXCLUDED.reason, proposed_reply = EXCLUDED.proposed_reply, proposed_actions = EXCLUDED.proposed_actions,
         requested_at = EXCLUDED.requested_at, expires_at = EXCLUDED.expires_at, decision = EXCLUDED.decision,
         decided_by = EXCLUDED.decided_by, comment = EXCLUDED.comment, edited_reply = EXCLUDED.edited_reply,
         decided_at = EXCLUDED.decided_at, requested_event = EXCLUDED.requested_event, decided_event = EXCLUDED.decided_event`,
      [JSON.stringify(updates)],
    );
  }
  return [...closings.values()];
}

async function addCounters(client: ClientBase, table: string, keys: readonly string[], counters: readonly string[], rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = [...keys, ...counters].join(', ');
  await client.query(
    `INSERT INTO ${table} AS t (${columns})
     SELECT ${columns} FROM jsonb_populate_recordset(null::${table}, $1::jsonb) ORDER BY ${keys.join(', ')}
     ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${counters.map((column) => `${column} = t.${column} + EXCLUDED.${column}`).join(', ')}`,
    [JSON.stringify(rows)],
  );
}

export async function addStatistics(client: ClientBase, delta: BatchDelta, approvalClosings: readonly TenantStatsDelta[]): Promise<void> {
  const tenants = new Map(delta.tenantStats.map((row) => [row.tenant_id, { ...row }]));
  for (const closing of approvalClosings) {
    const row = tenants.get(closing.tenant_id);
    if (!row) tenants.set(closing.tenant_id, { ...closing });
    else for (const counter of TENANT_COUNTERS) row[counter] += closing[counter];
  }
  await addCounters(client, 'agent_stats', ['tenant_id', 'node'], AGENT_COUNTERS, delta.agentStats);
  await addCounters(client, 'cost_stats', ['tenant_id', 'model', 'currency'], ['calls', 'cost_micros'], delta.costStats);
  await addCounters(client, 'tenant_stats', ['tenant_id'], TENANT_COUNTERS, [...tenants.values()].sort((a, b) => (a.tenant_id < b.tenant_id ? -1 : 1)));
}
