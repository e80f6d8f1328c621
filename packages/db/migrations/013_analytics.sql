-- 013_analytics: what services/analytics folds out of system.analytics (RequestOutcome,
-- StepMetrics, LlmUsage), one row per tenant and minute of the events' occurredAt. Rows are
-- upserted additively (integer sums only, so the order events arrive in does not matter); the
-- service's rolling gauges read the last hour of them, and they are the history.

CREATE TABLE analytics_minutes (
  tenant_id               text        NOT NULL,
  minute                  timestamptz NOT NULL CHECK (minute = date_trunc('minute', minute)),
  -- RequestOutcome: one per finished run, by outcome
  conversations           bigint      NOT NULL DEFAULT 0,
  resolved                bigint      NOT NULL DEFAULT 0,
  resolved_after_approval bigint      NOT NULL DEFAULT 0,
  handed_off              bigint      NOT NULL DEFAULT 0,
  fallback                bigint      NOT NULL DEFAULT 0,
  failed                  bigint      NOT NULL DEFAULT 0,
  escalated               bigint      NOT NULL DEFAULT 0,
  handling_ms             bigint      NOT NULL DEFAULT 0,
  -- quality scores (0..1) in millionths, and how many outcomes had one
  quality_sum_micros      bigint      NOT NULL DEFAULT 0,
  quality_count           bigint      NOT NULL DEFAULT 0,
  -- StepMetrics
  steps                   bigint      NOT NULL DEFAULT 0,
  step_failures           bigint      NOT NULL DEFAULT 0,
  step_ms                 bigint      NOT NULL DEFAULT 0,
  queue_delay_ms          bigint      NOT NULL DEFAULT 0,
  -- LlmUsage
  llm_calls               bigint      NOT NULL DEFAULT 0,
  llm_cached_calls        bigint      NOT NULL DEFAULT 0,
  prompt_tokens           bigint      NOT NULL DEFAULT 0,
  completion_tokens       bigint      NOT NULL DEFAULT 0,
  llm_latency_ms          bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, minute)
);
-- The rolling windows read the last hour of every tenant.
CREATE INDEX analytics_minutes_by_minute ON analytics_minutes (minute);

-- Money per tenant, minute and currency (amounts in millionths of the currency unit).
CREATE TABLE analytics_minute_costs (
  tenant_id       text        NOT NULL,
  minute          timestamptz NOT NULL CHECK (minute = date_trunc('minute', minute)),
  currency        text        NOT NULL,
  -- RequestOutcome events whose total cost is in this currency, and that cost
  conversations   bigint      NOT NULL DEFAULT 0,
  cost_micros     bigint      NOT NULL DEFAULT 0,
  -- LlmUsage: what the model calls themselves cost (cached answers cost 0)
  llm_cost_micros bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, minute, currency)
);
CREATE INDEX analytics_minute_costs_by_minute ON analytics_minute_costs (minute);

-- Event ids already folded in, written in the same transaction as the sums, so a redelivered
-- event (a crash before the offset commit) is never counted twice. Rows older than the topic's
-- retention (14 days) cannot come again and are pruned by the service.
CREATE TABLE analytics_events (
  event_id     text        PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analytics_events_by_age ON analytics_events (processed_at);
