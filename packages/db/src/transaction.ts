import { createHash } from 'node:crypto';
import pg from 'pg';
import { transientOrSelf } from './errors.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  readonly isolationLevel?: IsolationLevel;
  readonly readOnly?: boolean;
}

function beginStatement(options: TransactionOptions): string {
  const parts = ['BEGIN'];
  if (options.isolationLevel !== undefined) parts.push(`ISOLATION LEVEL ${options.isolationLevel.toUpperCase()}`);
  if (options.readOnly === true) parts.push('READ ONLY');
  return parts.join(' ');
}

/**
 * Runs `fn` inside BEGIN … COMMIT on a client that is not already in a transaction; rolls back
 * and rethrows on failure. A transient database error comes out as a `TransientError`.
 * `onBroken` is told when even the rollback failed, i.e. the connection must not be reused.
 */
export async function runInTransaction<C extends pg.ClientBase, T>(
  client: C,
  fn: (client: C) => Promise<T>,
  options: TransactionOptions = {},
  onBroken: (error: unknown) => void = () => undefined,
): Promise<T> {
  try {
    await client.query(beginStatement(options));
  } catch (error) {
    onBroken(error);
    throw transientOrSelf(error, 'BEGIN failed');
  }
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      onBroken(rollbackError);
    }
    throw transientOrSelf(error, 'transaction failed');
  }
}

/** Checks out a client, runs `fn` in a transaction on it, returns the client to the pool. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw transientOrSelf(error, 'could not connect to PostgreSQL');
  }
  let broken: Error | undefined;
  try {
    return await runInTransaction(client, fn, options, (error) => {
      broken = error instanceof Error ? error : new Error(String(error));
    });
  } finally {
    // A client whose rollback failed is in an unknown state: destroy it rather than reuse it.
    client.release(broken);
  }
}

/**
 * The 64-bit advisory-lock key of a string: the first 8 bytes of its SHA-256, as a signed int8.
 * Computed here rather than with PostgreSQL's internal `hashtext`, so it is stable across server
 * versions and the same in every process. Namespace keys by purpose, e.g. `thread:<conversationId>`.
 */
export function advisoryLockKey(key: string): bigint {
  return createHash('sha256').update(key, 'utf8').digest().readBigInt64BE(0);
}

export interface AdvisoryLockOptions extends TransactionOptions {
  /** Give up waiting for the lock after this long (a retriable `DB_LOCK_TIMEOUT`); default: wait. */
  readonly lockTimeoutMs?: number;
}

export type LockAttempt<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

type Db = pg.Pool | pg.ClientBase;

async function inTransaction<T>(db: Db, fn: (client: pg.ClientBase) => Promise<T>, options: TransactionOptions): Promise<T> {
  return db instanceof pg.Pool ? withTransaction(db, fn, options) : runInTransaction(db, fn, options);
}

/**
 * Runs `fn` in a transaction that holds `pg_advisory_xact_lock(advisoryLockKey(key))`: another
 * caller with the same key waits until this transaction ends; other keys do not wait. The lock is
 * released by COMMIT/ROLLBACK, also when the connection dies. Pass a pool (a client is checked out)
 * or a client that is not already in a transaction.
 */
export async function withAdvisoryLock<T>(db: Db, key: string, fn: (client: pg.ClientBase) => Promise<T>, options: AdvisoryLockOptions = {}): Promise<T> {
  return inTransaction(
    db,
    async (client) => {
      if (options.lockTimeoutMs !== undefined) await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(options.lockTimeoutMs))}`);
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(key).toString()]);
      return fn(client);
    },
    options,
  );
}

/** Like `withAdvisoryLock`, but does not wait: when another transaction holds the key, `fn` is not run. */
export async function tryWithAdvisoryLock<T>(db: Db, key: string, fn: (client: pg.ClientBase) => Promise<T>, options: TransactionOptions = {}): Promise<LockAttempt<T>> {
  return inTransaction(
    db,
    async (client): Promise<LockAttempt<T>> => {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [advisoryLockKey(key).toString()]);
      if (result.rows[0]?.locked !== true) return { acquired: false };
      return { acquired: true, value: await fn(client) };
    },
    options,
  );
}
