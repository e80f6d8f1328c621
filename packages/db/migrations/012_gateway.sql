-- API keys of the gateway's machine producers (and supervisor tools). A key is shown once as
-- sk_<key_id>_<secret>; only the SHA-256 (hex) of the secret is kept. A revoked key stays listed
-- for audit. rate_limit_per_minute overrides the gateway's default when set.
CREATE TABLE api_keys (
  key_id                text PRIMARY KEY CHECK (key_id ~ '^[a-z0-9]{8,64}$'),
  name                  text NOT NULL,
  tenant_id             text NOT NULL,
  role                  text NOT NULL CHECK (role IN ('service', 'supervisor', 'admin')),
  secret_hash           text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
  created_at            timestamptz NOT NULL DEFAULT now(),
  revoked_at            timestamptz
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at);
