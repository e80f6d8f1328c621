import { isPlatformError, PlatformError, TransientError } from '@supportstream/errors';
import type { Pool, PoolClient } from 'pg';
import { collectionNotFound } from './vectorStore.js';

/** Runs `work` in one transaction on one pooled connection. */
export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A failed ROLLBACK means the connection is broken: destroy it rather than return it to the pool.
    const rollback = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))),
    );
    client.release(rollback);
    throw error;
  }
}

const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01', '55P03', '53200']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The schema was never created: for the caller that is a collection that does not exist. */
export function isNotFound(error: unknown): boolean {
  return sqlState(error) === '42P01' || (isPlatformError(error) && error.code === 'VECTOR_COLLECTION_NOT_FOUND');
}

/** PostgreSQL failures as platform errors: connection trouble is retriable, anything else is not. */
export function asStoreError(error: unknown, collection: string): PlatformError {
  if (isPlatformError(error)) return error;
  if (sqlState(error) === '42P01') return collectionNotFound(collection);
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  const transient =
    (code !== undefined && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code))) ||
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(message);
  if (transient) return new TransientError('VECTOR_STORE_UNAVAILABLE', `PostgreSQL vector store unavailable: ${message}`, { cause: error, details: { collection } });
  return new PlatformError('VECTOR_STORE_FAILED', `PostgreSQL vector store failed: ${message}`, { cause: error, details: { collection, sqlState: code } });
}
