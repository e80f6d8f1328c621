import { quoteIdentifier, withAdvisoryLock, type Pool, type Queryable } from '@supportstream/db';

/** The schema the projections service keeps the live read models in. */
export const LIVE_SCHEMA = 'read_model';

/**
 * The read-model tables. They are created per schema (not by a migration) because a rebuild
 * writes a second, fresh copy next to the live one and compares the two.
 *
 * Fields fed by several topics are "latest wins" by an ordering key (`*_key`: occurredAt, a rank
 * per event type, the event id) rather than by arrival, so the tables are a function of the set of
 * events: the live service (topics interleaved as they arrive) and a rebuild (topics read at
 * another pace) end equal. Counters are sums, so they commute too.
 */
export const READ_MODEL_TABLES = `
CREATE TABLE IF NOT EXISTS offsets (
  topic       text    NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL,
  PRIMARY KEY (topic, partition)
);

CREATE TABLE IF NOT EXISTS conversation_events (
  seq             bigserial   NOT NULL,
  event_id        text        PRIMARY KEY,
  conversation_id text        NOT NULL,
  tenant_id       text        NOT NULL,
  type            text        NOT NULL,
  topic           text        NOT NULL,
  partition       integer     NOT NULL,
  "offset"        bigint      NOT NULL,
  occurred_at     timestamptz NOT NULL,
  producer        text        NOT NULL,
  request_id      text        NOT NULL,
  correlation_id  text        NOT NULL,
  causation_id    text,
  schema_id       integer     NOT NULL,
  summary         text        NOT NULL,
  payload         jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_events_by_conversation ON conversation_events (conversation_id, seq);

CREATE TABLE IF NOT EXISTS conversations (
  conversation_id text PRIMARY KEY,
  tenant_id       text NOT NULL,
  customer_id     text,
  channel         text,
  customer_tier   text,
  subject         text,
  last_message    text,
  last_request_id text,
  request_key     text,
  status          text,
  status_key      text,
  current_step    text,
  next_step       text,
  step_key        text,
  triage          jsonb,
  triage_key      text,
  outcome         text,
  final_reply     text,
  citations       jsonb,
  reply_key       text,
  request_count   integer NOT NULL,
  step_count      integer NOT NULL,
  failure_count   integer NOT NULL,
  event_count     integer NOT NULL,
  opened_at       timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_tenant ON conversations (tenant_id, updated_at DESC);

CREATE TABLE IF NOT EXISTS approvals (
  approval_id       text PRIMARY KEY,
  conversation_id   text NOT NULL,
  tenant_id         text NOT NULL,
  run_id            text,
  status            text NOT NULL,
  risk              text,
  risk_score        double precision,
  reason            text,
  proposed_reply    text,
  proposed_actions  jsonb,
  requested_at      timestamptz,
  expires_at        timestamptz,
  decision          text,
  decided_by        text,
  comment           text,
  edited_reply      text,
  decided_at        timestamptz,
  requested_event   text,
  decided_event     text
);
CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals (tenant_id, status, requested_at);

CREATE TABLE IF NOT EXISTS agent_stats (
  tenant_id           text   NOT NULL,
  node                text   NOT NULL,
  steps_completed     bigint NOT NULL,
  steps_failed        bigint NOT NULL,
  steps_duplicate     bigint NOT NULL,
  step_duration_ms    bigint NOT NULL,
  queue_delay_ms      bigint NOT NULL,
  llm_calls           bigint NOT NULL,
  llm_cached_calls    bigint NOT NULL,
  prompt_tokens       bigint NOT NULL,
  completion_tokens   bigint NOT NULL,
  llm_latency_ms      bigint NOT NULL,
  PRIMARY KEY (tenant_id, node)
);

CREATE TABLE IF NOT EXISTS cost_stats (
  tenant_id   text   NOT NULL,
  model       text   NOT NULL,
  currency    text   NOT NULL,
  calls       bigint NOT NULL,
  cost_micros bigint NOT NULL,
  PRIMARY KEY (tenant_id, model, currency)
);

CREATE TABLE IF NOT EXISTS tenant_stats (
  tenant_id               text   PRIMARY KEY,
  requests                bigint NOT NULL,
  runs_completed          bigint NOT NULL,
  resolved                bigint NOT NULL,
  resolved_after_approval bigint NOT NULL,
  handed_off              bigint NOT NULL,
  fallback                bigint NOT NULL,
  failed                  bigint NOT NULL,
  escalated               bigint NOT NULL,
  handling_ms             bigint NOT NULL,
  quality_sum_micros      bigint NOT NULL,
  quality_count           bigint NOT NULL,
  approvals_requested     bigint NOT NULL,
  approvals_approved      bigint NOT NULL,
  approvals_rejected      bigint NOT NULL,
  approvals_edited        bigint NOT NULL,
  approvals_expired       bigint NOT NULL,
  replies                 bigint NOT NULL,
  alerts                  bigint NOT NULL,
  step_failures           bigint NOT NULL
);
`;

/** Creates the schema and its tables if missing (idempotent; safe with several instances starting). */
export async function ensureReadModel(pool: Pool, schema: string): Promise<void> {
  const quoted = quoteIdentifier(schema);
  // Concurrent CREATE ... IF NOT EXISTS can still collide on the catalog: serialize the starters.
  await withAdvisoryLock(pool, `read-model:${schema}`, async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(READ_MODEL_TABLES);
  });
}

export async function dropReadModel(db: Queryable, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
}

/** Tables in the order a transaction touches them (a fixed order keeps concurrent instances free of deadlocks). */
export const READ_MODEL_TABLE_NAMES = ['offsets', 'conversation_events', 'conversations', 'approvals', 'agent_stats', 'cost_stats', 'tenant_stats'] as const;
export type ReadModelTable = (typeof READ_MODEL_TABLE_NAMES)[number];
