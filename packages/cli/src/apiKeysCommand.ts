import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadPlatformConfig } from '@supportstream/config';
import { createPool } from '@supportstream/db';

export const API_KEYS_USAGE = `  apikeys create --tenant id --role service|supervisor|admin --name text [--rate N] [--json]
                                     make a gateway API key (printed once; only its hash is stored)
  apikeys list --tenant id [--json]  the tenant's keys (never the secrets)
  apikeys revoke <keyId>             refuse the key from now on (the gateway's cache: ≤ 30 s)`;

const ROLES = ['service', 'supervisor', 'admin'];

/**
 * The gateway verifies `sk_<keyId>_<secret>` by the SHA-256 (hex) of the secret, in the api_keys
 * table of migration 012 (services/gateway/src/auth/apiKeys.ts holds the other half of this format).
 */
function newKey(): { keyId: string; secret: string; key: string; secretHash: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, key: `sk_${keyId}_${secret}`, secretHash: createHash('sha256').update(secret, 'utf8').digest('hex') };
}

interface Io {
  readonly print: (line: string) => void;
  readonly error: (line: string) => void;
}

interface KeyRow {
  key_id: string;
  name: string;
  tenant_id: string;
  role: string;
  rate_limit_per_minute: number | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** `supportstream apikeys create|list|revoke`: the gateway's API keys, in DATABASE_URL. */
export async function apiKeysCommand(argv: readonly string[], io: Io = { print: (line) => console.log(line), error: (line) => console.error(line) }): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      rate: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, keyId] = positionals;
  const rate = values.rate === undefined ? null : Number(values.rate);
  const usage = (problem: string) => {
    io.error(`${problem}\n\n${API_KEYS_USAGE}`);
    return 2;
  };
  if (action === 'create') {
    if (!values.tenant || !values.name || !values.role) return usage('apikeys create needs --tenant, --role and --name');
    if (!ROLES.includes(values.role)) return usage(`--role must be one of ${ROLES.join(', ')} (customers use tokens, not keys)`);
    if (rate !== null && (!Number.isInteger(rate) || rate <= 0)) return usage('--rate must be a positive whole number of requests per minute');
  } else if (action === 'list') {
    if (!values.tenant) return usage('apikeys list needs --tenant');
  } else if (action === 'revoke') {
    if (!keyId) return usage('apikeys revoke needs the key id');
  } else {
    return usage(`unknown apikeys action: ${action ?? '(none)'}`);
  }

  const pool = createPool(loadPlatformConfig().DATABASE_URL, { max: 1, applicationName: 'supportstream-cli' });
  try {
    if (action === 'create') {
      const key = newKey();
      await pool.query('INSERT INTO api_keys (key_id, name, tenant_id, role, secret_hash, rate_limit_per_minute) VALUES ($1, $2, $3, $4, $5, $6)', [
        key.keyId,
        values.name,
        values.tenant,
        values.role,
        key.secretHash,
        rate,
      ]);
      if (values.json) {
        io.print(JSON.stringify({ keyId: key.keyId, key: key.key, tenantId: values.tenant, role: values.role, name: values.name, rateLimitPerMinute: rate }));
      } else {
        io.print(`created API key ${key.keyId} "${values.name}" for tenant ${values.tenant}, role ${values.role}, ${rate === null ? 'default rate limit' : `${rate} requests/minute`}`);
        io.print(key.key);
        io.print('Store it now: it is not shown again (only a hash of it is kept).');
      }
      return 0;
    }
    if (action === 'list') {
      const { rows } = await pool.query<KeyRow>(
        'SELECT key_id, name, tenant_id, role, rate_limit_per_minute, created_at, revoked_at FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, key_id',
        [values.tenant],
      );
      if (values.json) {
        io.print(JSON.stringify(rows.map((row) => ({ keyId: row.key_id, name: row.name, tenantId: row.tenant_id, role: row.role, rateLimitPerMinute: row.rate_limit_per_minute, createdAt: row.created_at, revokedAt: row.revoked_at }))));
        return 0;
      }
      if (rows.length === 0) io.print(`no API keys for tenant ${values.tenant}`);
      for (const row of rows) {
        const state = row.revoked_at === null ? 'active' : `revoked ${row.revoked_at.toISOString()}`;
        io.print(`${row.key_id}  ${row.role.padEnd(10)} ${String(row.rate_limit_per_minute ?? 'default').padEnd(8)} ${state.padEnd(32)} ${row.name}`);
      }
      return 0;
    }
    const { rows } = await pool.query<{ revoked_at: Date }>('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE key_id = $1 RETURNING revoked_at', [keyId]);
    const revoked = rows[0];
    if (revoked === undefined) {
      io.error(`no API key ${keyId}`);
      return 1;
    }
    io.print(`revoked ${keyId} (since ${revoked.revoked_at.toISOString()})`);
    return 0;
  } catch (error) {
    // 42P01: the table is missing.
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === '42P01') {
      io.error('the api_keys table is missing: run `supportstream db migrate` first');
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}
