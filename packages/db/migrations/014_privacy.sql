-- 014_privacy: per-customer data keys for the personal fields of events (@supportstream/privacy),
-- and the log of erasures. Erasing a customer deletes their row in privacy_data_keys: every value
-- sealed with that key, on every topic and in every copy, can no longer be opened (crypto-shredding).
-- Names are unqualified: the runner sets search_path when it applies into a given schema.

-- One data key per (tenant, customer), created on the first encryption. wrapped_key is
-- iv ‖ tag ‖ the 32-byte key encrypted with AES-256-GCM by the master key master_key_id, which
-- lives in configuration only (PRIVACY_MASTER_KEYS), never here. key_id is random and appears in
-- every sealed value (enc:v1:<key_id>:…), so a value sealed before an erasure never opens with a
-- key created after it.
CREATE TABLE privacy_data_keys (
  tenant_id     text        NOT NULL,
  customer_id   text        NOT NULL,
  key_id        text        NOT NULL UNIQUE CHECK (key_id ~ '^[A-Za-z0-9_-]{16}$'),
  wrapped_key   bytea       NOT NULL,
  master_key_id text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- set when a master key rotation re-wrapped the key
  rewrapped_at  timestamptz,
  PRIMARY KEY (tenant_id, customer_id)
);
-- Rotation looks for the keys still wrapped by an old master key.
CREATE INDEX privacy_data_keys_by_master_key ON privacy_data_keys (master_key_id);

-- Every erasure request, kept for audit; no key material. key_id is the key that was deleted (NULL
-- when the customer had none), which is how a value sealed with it reads as erased rather than as
-- sealed for someone else.
CREATE TABLE privacy_erasures (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text        NOT NULL,
  customer_id text        NOT NULL,
  key_id      text,
  erased_at   timestamptz NOT NULL DEFAULT now(),
  erased_by   text        NOT NULL,
  reason      text        NOT NULL
);
CREATE INDEX privacy_erasures_by_customer ON privacy_erasures (tenant_id, customer_id, key_id);
