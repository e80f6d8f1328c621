import { randomBytes } from 'node:crypto';
import { runMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVaultContract } from '../test/keyVaultContract.js';
import { createKeyVault, isErased } from './keyVault.js';
import { postgresDataKeyStore } from './postgresDataKeyStore.js';
import { parseSealed } from './sealed.js';

/** A schema of its own with every migration applied (014_privacy among them). */
async function privacySchema(): Promise<ScratchSchema> {
  const scratch = await createScratchSchema('privacy');
  await runMigrations(scratch.pool, { schema: scratch.schema });
  return scratch;
}

keyVaultContract('PostgreSQL', async () => {
  const scratch = await privacySchema();
  // Two pools, handed out in turn: every other "process" has its own connections.
  const pools = [scratch.newPool(), scratch.newPool()];
  let next = 0;
  return {
    openStore: () => postgresDataKeyStore(pools[next++ % pools.length] as pg.Pool),
    close: () => scratch.drop(),
  };
});

describe('KeyVault on PostgreSQL', () => {
  let scratch: ScratchSchema;
  const masterKeys = { current: 'k1', keys: { k1: randomBytes(32) } };

  beforeAll(async () => {
    scratch = await privacySchema();
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('stores only the wrapped key and logs erasures without key material', async () => {
    const vault = createKeyVault({ pool: scratch.pool, masterKeys });
    const sealed = await vault.encrypt('tenant-a', 'cust-42', 'Ada Lovelace');
    const keys = await scratch.pool.query<{ key_id: string; wrapped_key: Buffer; master_key_id: string }>(
      `SELECT key_id, wrapped_key, master_key_id FROM privacy_data_keys
       WHERE tenant_id = 'tenant-a' AND customer_id = 'cust-42'`,
    );
    expect(keys.rows).toHaveLength(1);
    expect(keys.rows[0]?.key_id).toBe(parseSealed(sealed).keyId);
    expect(keys.rows[0]?.master_key_id).toBe('k1');
    // iv (12) + tag (16) + the 32-byte key, encrypted.
    expect(keys.rows[0]?.wrapped_key.length).toBe(60);

    expect(await vault.erase('tenant-a', 'cust-42', { by: 'operator:ana', reason: 'request #1' })).toBe(true);
    const columns = await scratch.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'privacy_erasures' ORDER BY ordinal_position`,
      [scratch.schema],
    );
    expect(columns.rows.map((row) => row.column_name)).toEqual([
      'id',
      'tenant_id',
      'customer_id',
      'key_id',
      'erased_at',
      'erased_by',
      'reason',
    ]);
    const left = await scratch.pool.query(
      `SELECT 1 FROM privacy_data_keys WHERE tenant_id = 'tenant-a' AND customer_id = 'cust-42'`,
    );
    expect(left.rowCount).toBe(0);
  });

  it('another process sees the erasure once its cache TTL has passed (real clock)', async () => {
    const eraser = createKeyVault({ pool: scratch.newPool(), masterKeys, cacheTtlMs: 300 });
    const other = createKeyVault({ pool: scratch.newPool(), masterKeys, cacheTtlMs: 300 });
    const sealed = await eraser.encrypt('tenant-a', 'cust-ttl', 'Grace Hopper');
    expect(await other.decrypt('tenant-a', 'cust-ttl', sealed)).toBe('Grace Hopper');
    await eraser.erase('tenant-a', 'cust-ttl', { by: 'test', reason: 'ttl' });
    expect(isErased(await eraser.decrypt('tenant-a', 'cust-ttl', sealed))).toBe(true);
    // Polled (bounded): this package cannot use @supportstream/testing, which depends on it through observability.
    const deadline = Date.now() + 5_000;
    while (!isErased(await other.decrypt('tenant-a', 'cust-ttl', sealed))) {
      if (Date.now() > deadline) throw new Error('the other vault still decrypts 5 s after the erasure');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(isErased(await other.decrypt('tenant-a', 'cust-ttl', sealed))).toBe(true);
  });
});
