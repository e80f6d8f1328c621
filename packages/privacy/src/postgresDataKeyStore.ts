import { transientOrSelf, withTransaction } from '@supportstream/db';
import type pg from 'pg';
import type { DataKeyStore, ErasureRecord, StoredDataKey } from './dataKeyStore.js';

interface KeyRow {
  tenant_id: string;
  customer_id: string;
  key_id: string;
  wrapped_key: Buffer;
  master_key_id: string;
}

const toKey = (row: KeyRow): StoredDataKey => ({
  tenantId: row.tenant_id,
  customerId: row.customer_id,
  keyId: row.key_id,
  wrappedKey: row.wrapped_key,
  masterKeyId: row.master_key_id,
});

const KEY_COLUMNS = 'tenant_id, customer_id, key_id, wrapped_key, master_key_id';

/** Tables of migration 014_privacy, unqualified: the pool's search_path picks the schema. */
export function postgresDataKeyStore(pool: pg.Pool): DataKeyStore {
  // A lost connection becomes a retriable TransientError (DB_UNAVAILABLE): a consumer decoding an
  // event during a PostgreSQL outage then retries instead of dead-lettering it.
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw transientOrSelf(error, 'privacy data keys');
    }
  };
  return {
    async find(tenantId, customerId) {
      const result = await query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM privacy_data_keys WHERE tenant_id = $1 AND customer_id = $2`,
        [tenantId, customerId],
      );
      const row = result.rows[0];
      return row === undefined ? undefined : toKey(row);
    },
    async insertIfAbsent(tenantId, customerId, key) {
      await query(
        `INSERT INTO privacy_data_keys (tenant_id, customer_id, key_id, wrapped_key, master_key_id)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [tenantId, customerId, key.keyId, key.wrappedKey, key.masterKeyId],
      );
    },
    erase(tenantId, customerId, request) {
      return withTransaction(pool, async (client) => {
        const deleted = await client.query<{ key_id: string }>(
          'DELETE FROM privacy_data_keys WHERE tenant_id = $1 AND customer_id = $2 RETURNING key_id',
          [tenantId, customerId],
        );
        const keyId = deleted.rows[0]?.key_id;
        await client.query(
          `INSERT INTO privacy_erasures (tenant_id, customer_id, key_id, erased_by, reason)
           VALUES ($1, $2, $3, $4, $5)`,
          [tenantId, customerId, keyId ?? null, request.by, request.reason],
        );
        return keyId;
      });
    },
    async wasErased(tenantId, customerId, keyId) {
      const result = await query(
        'SELECT 1 FROM privacy_erasures WHERE tenant_id = $1 AND customer_id = $2 AND key_id = $3 LIMIT 1',
        [tenantId, customerId, keyId],
      );
      return result.rowCount !== null && result.rowCount > 0;
    },
    async erasures(tenantId, customerId) {
      const result = await query<{ key_id: string | null; erased_at: Date; erased_by: string; reason: string }>(
        `SELECT key_id, erased_at, erased_by, reason FROM privacy_erasures
         WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id`,
        [tenantId, customerId],
      );
      return result.rows.map(
        (row): ErasureRecord => ({
          tenantId,
          customerId,
          keyId: row.key_id,
          erasedAt: row.erased_at,
          by: row.erased_by,
          reason: row.reason,
        }),
      );
    },
    async keysNotWrappedBy(masterKeyId, limit, after) {
      const result = await query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM privacy_data_keys
         WHERE master_key_id <> $1 AND ($3::text IS NULL OR (tenant_id, customer_id) > ($3, $4))
         ORDER BY tenant_id, customer_id LIMIT $2`,
        [masterKeyId, limit, after?.tenantId ?? null, after?.customerId ?? null],
      );
      return result.rows.map(toKey);
    },
    async rewrap(key, wrappedKey, masterKeyId) {
      const result = await query(
        `UPDATE privacy_data_keys SET wrapped_key = $5, master_key_id = $6, rewrapped_at = now()
         WHERE tenant_id = $1 AND customer_id = $2 AND key_id = $3 AND master_key_id = $4`,
        [key.tenantId, key.customerId, key.keyId, key.masterKeyId, wrappedKey, masterKeyId],
      );
      return result.rowCount === 1;
    },
  };
}
