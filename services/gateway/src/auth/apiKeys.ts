import { createHash, timingSafeEqual } from 'node:crypto';
import { quoteIdentifier, type Queryable } from '@supportstream/db';
import { isRole, type Principal } from './principal.js';

/**
 * API keys for machine producers: `sk_<keyId>_<secret>`. The key id finds the row; only the
 * SHA-256 of the secret is stored (the secret is 256 random bits, so a fast hash is enough; no
 * password stretching is needed). The CLI (`supportstream apikeys`) creates, lists and revokes them.
 */
const API_KEY = /^sk_([a-z0-9]{8,64})_([A-Za-z0-9_-]{16,256})$/;

export interface ParsedApiKey {
  readonly keyId: string;
  readonly secret: string;
}

export function parseApiKey(value: string): ParsedApiKey | undefined {
  const match = API_KEY.exec(value);
  return match?.[1] !== undefined && match[2] !== undefined ? { keyId: match[1], secret: match[2] } : undefined;
}

export const looksLikeApiKey = (value: string): boolean => value.startsWith('sk_');

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

interface ApiKeyRow {
  key_id: string;
  name: string;
  tenant_id: string;
  role: string;
  secret_hash: string;
  rate_limit_per_minute: number | null;
  revoked_at: Date | null;
}

export interface ApiKeyStoreOptions {
  readonly db: Queryable;
  /** Schema of the api_keys table (migration 012); default: the connection's search path. */
  readonly schema?: string;
  /** How long a looked-up row (or its absence) is reused; a revocation takes effect within it. */
  readonly cacheMs?: number;
  /** Cache entries kept at most (oldest dropped first), so random key ids cannot grow memory. */
  readonly maxCached?: number;
  readonly now?: () => number;
}

export type ApiKeyCheck = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: 'unknown' | 'revoked' | 'secret' };

export interface ApiKeyStore {
  verify(presented: ParsedApiKey): Promise<ApiKeyCheck>;
  /** Whether the key still exists unrevoked (a console session opened with it lives only as long; same cache as verify). */
  isActive(keyId: string): Promise<boolean>;
}

export function createApiKeyStore(options: ApiKeyStoreOptions): ApiKeyStore {
  const table = options.schema === undefined ? 'api_keys' : `${quoteIdentifier(options.schema)}.api_keys`;
  const cacheMs = options.cacheMs ?? 30_000;
  const maxCached = options.maxCached ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { row: ApiKeyRow | undefined; until: number }>();

  async function lookup(keyId: string): Promise<ApiKeyRow | undefined> {
    const cached = cache.get(keyId);
    if (cached !== undefined && cached.until > now()) return cached.row;
    const result = await options.db.query<ApiKeyRow>(
      `SELECT key_id, name, tenant_id, role, secret_hash, rate_limit_per_minute, revoked_at FROM ${table} WHERE key_id = $1`,
      [keyId],
    );
    const row = result.rows[0];
    if (cacheMs > 0) {
      cache.delete(keyId);
      cache.set(keyId, { row, until: now() + cacheMs });
      if (cache.size > maxCached) cache.delete(cache.keys().next().value as string);
    }
    return row;
  }

  return {
    async verify({ keyId, secret }) {
      const row = await lookup(keyId);
      if (row === undefined) return { ok: false, reason: 'unknown' };
      const expected = Buffer.from(row.secret_hash, 'hex');
      const actual = Buffer.from(hashSecret(secret), 'hex');
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'secret' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (!isRole(row.role)) return { ok: false, reason: 'unknown' };
      return {
        ok: true,
        principal: { kind: 'api_key', subject: `apikey:${row.key_id}`, tenantId: row.tenant_id, role: row.role, credentialId: `key:${row.key_id}`, rateLimitPerMinute: row.rate_limit_per_minute },
      };
    },
    async isActive(keyId) {
      const row = await lookup(keyId);
      return row !== undefined && row.revoked_at === null;
    },
  };
}
