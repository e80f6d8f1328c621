-- 002_llm_config: model providers, per-agent settings (with per-tenant overrides) and prompt
-- templates for @supportstream/llm. Read at runtime with a short cache (PgAgentSettingsStore,
-- 2 s by default), so an UPDATE here takes effect without a restart.
-- Names are unqualified: the runner sets search_path when it applies into a given schema.
-- The templates seeded below equal DEFAULT_TEMPLATES in packages/llm/src/prompts.ts; the llm
-- integration test compares the two, so change both together (in a new migration).

-- One row per configured endpoint. API keys never live here: api_key_env names the environment
-- variable that holds the key (NULL: no key, e.g. Ollama or LM Studio).
CREATE TABLE llm_providers (
  name          text    PRIMARY KEY,
  kind          text    NOT NULL CHECK (kind IN ('openai', 'anthropic', 'offline')),
  base_url      text    CHECK (base_url IS NULL OR base_url ~ '^https?://'),
  api_key_env   text    CHECK (api_key_env IS NULL OR api_key_env ~ '^[A-Z_][A-Z0-9_]*$'),
  default_model text    NOT NULL,
  timeout_ms    integer NOT NULL DEFAULT 30000 CHECK (timeout_ms > 0),
  max_retries   integer NOT NULL DEFAULT 2 CHECK (max_retries >= 0),
  -- OpenAI-compatible servers: send response_format json_object (turn off where it is rejected).
  json_mode     boolean NOT NULL DEFAULT true
);

-- Settings per agent; tenant_id '*' is the default for every tenant. In a tenant's own row each
-- NULL column inherits from the '*' row (so a tenant can change only its tone); model NULL means
-- the provider's default_model.
CREATE TABLE agent_settings (
  agent         text        NOT NULL,
  tenant_id     text        NOT NULL DEFAULT '*',
  provider      text        REFERENCES llm_providers (name),
  model         text,
  temperature   numeric(3, 2) CHECK (temperature BETWEEN 0 AND 2),
  max_tokens    integer     CHECK (max_tokens > 0),
  system_prompt text,
  tone          text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent, tenant_id),
  CONSTRAINT agent_settings_default_complete CHECK (
    tenant_id <> '*' OR (provider IS NOT NULL AND temperature IS NOT NULL AND max_tokens IS NOT NULL AND system_prompt IS NOT NULL AND tone IS NOT NULL)
  )
);

CREATE FUNCTION agent_settings_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER agent_settings_touch BEFORE UPDATE ON agent_settings
  FOR EACH ROW EXECUTE FUNCTION agent_settings_touch();

-- Versioned templates; at most one active version per task. Placeholders: {{task}}, {{tone}},
-- {{schema}}, {{input}}, {{input.field.path}}. Without {{schema}} the JSON instruction is appended.
CREATE TABLE prompt_templates (
  task       text        NOT NULL CHECK (task IN ('moderate', 'triage', 'draft', 'review')),
  version    integer     NOT NULL CHECK (version > 0),
  template   text        NOT NULL,
  active     boolean     NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (task, version)
);
CREATE UNIQUE INDEX prompt_templates_one_active ON prompt_templates (task) WHERE active;

INSERT INTO llm_providers (name, kind, base_url, api_key_env, default_model, timeout_ms, max_retries, json_mode) VALUES
  ('offline',   'offline',   NULL,                         NULL,                'heuristic-v1',     5000,  0, true),
  ('openai',    'openai',    'https://api.openai.com/v1',  'OPENAI_API_KEY',    'gpt-4o-mini',      30000, 2, true),
  ('anthropic', 'anthropic', 'https://api.anthropic.com',  'ANTHROPIC_API_KEY', 'claude-haiku-4-5', 30000, 2, true),
  ('ollama',    'openai',    'http://127.0.0.1:11434/v1',  NULL,                'llama3.1',         60000, 1, true);

INSERT INTO agent_settings (agent, tenant_id, provider, model, temperature, max_tokens, system_prompt, tone) VALUES
  ('moderate', '*', 'offline', NULL, 0.00, 256,
   'You screen incoming customer support messages for threats and abuse. You answer with JSON only.',
   'friendly and concise'),
  ('triage', '*', 'offline', NULL, 0.00, 512,
   'You triage customer support requests for an online shop: topic, urgency, sentiment, language and risk signals. You answer with JSON only.',
   'friendly and concise'),
  ('draft', '*', 'offline', NULL, 0.30, 800,
   'You are a customer support agent for an online shop. You write accurate replies grounded only in the sources and facts you are given, and you never promise what nobody has checked. You answer with JSON only.',
   'friendly and concise'),
  ('review', '*', 'offline', NULL, 0.00, 400,
   'You are the quality reviewer of customer support replies: grounded, polite, correct, nothing promised that is not confirmed. You answer with JSON only.',
   'friendly and concise');

INSERT INTO prompt_templates (task, version, active, template) VALUES
('moderate', 1, true, $tpl$Decide whether this customer message must be blocked before anyone works on it.
Block threats and abuse aimed at a person (insults, harassment, threats of violence).
Allow complaints and anger about a product or the service, strong words included.

Message (JSON):
{{input}}$tpl$),
('triage', 1, true, $tpl$Classify this customer support request.
- category: billing, refund, shipping, account, technical, legal or other
- priority: low, normal, high or urgent (a legal threat is urgent; a VIP customer is at least high)
- sentiment: positive, neutral or negative; language: the BCP 47 primary tag of the message
- intent: short snake_case, e.g. request_refund, track_order, how_to
- confidence: 0 to 1
- signals: any of legal_threat, account_closure, refund_request, chargeback_threat, urgent, repeat_contact
- refundAmount: the amount the customer wants back, in micros (millionths) with an ISO 4217 currency, or null
- orderId: the order number mentioned, or null

Request (JSON):
{{input}}$tpl$),
('draft', 1, true, $tpl$Write the reply to the customer, in the language of their message and in this tone: {{tone}}.
Use only the facts and the sources given. Put the ids of the sources you used in "citations".
Never promise an outcome, and never commit to a refund that the facts do not confirm.
If the sources do not answer the question, say that a colleague will follow up, with a low confidence.
If previousIssues is not empty, fix every issue it lists.

Input (JSON):
{{input}}$tpl$),
('review', 1, true, $tpl$Review this draft reply before it is sent to the customer. Check that it answers the message,
that every citation is one of the sources and the reply is supported by what it cites,
that it commits to no refund unless a fact confirms one, that it promises nothing unchecked,
and that it is polite, concise and in the customer's language.
score: 0 to 1; issues: short strings, each starting with a snake_case code; verdict: pass if score >= 0.7, else revise.

Input (JSON):
{{input}}$tpl$);
