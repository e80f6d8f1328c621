-- Agent pipeline state that lives beside the LangGraph checkpoints.

-- Follow-up requests that arrived while their conversation had a run in flight; started in
-- arrival order when the run ends (never two runs on one thread at once).
CREATE TABLE conversation_queue (
  request_id      text PRIMARY KEY,
  conversation_id text NOT NULL,
  request         jsonb NOT NULL,
  enqueued_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_queue_by_conversation ON conversation_queue (conversation_id, enqueued_at);

-- Results of model calls, keyed by the step that made them (thread, checkpoint the step started
-- from, node, call index): a step re-run after a crash reuses them instead of paying twice.
CREATE TABLE llm_call_cache (
  thread_id   text NOT NULL,
  step_key    text NOT NULL,
  node        text NOT NULL,
  call_index  integer NOT NULL,
  result      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_id, step_key, node, call_index)
);
CREATE INDEX llm_call_cache_by_age ON llm_call_cache (created_at);

-- Approvals the approvals service is waiting for, so it can expire them on time.
CREATE TABLE pending_approvals (
  approval_id     text PRIMARY KEY,
  conversation_id text NOT NULL,
  checkpoint_id   text NOT NULL,
  -- conversation, request, tenant and correlation ids for the ApprovalExpired event
  context         jsonb NOT NULL,
  expires_at      timestamptz NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'decided', 'expired')),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_approvals_due ON pending_approvals (expires_at) WHERE status = 'pending';
