import pg from 'pg';
import { assertIdentifier } from './identifiers.js';

export interface PoolOptions {
  /** Most connections the pool opens (default 10). */
  readonly max?: number;
  /** An idle connection is closed after this long (default 30 s). */
  readonly idleTimeoutMs?: number;
  /** Waiting for a connection (new or from the pool) fails after this long (default 10 s). */
  readonly connectionTimeoutMs?: number;
  /** Shown in `pg_stat_activity.application_name` (default `supportstream`); use the service name. */
  readonly applicationName?: string;
  /** Server-side limit per statement; unset means PostgreSQL's own setting. */
  readonly statementTimeoutMs?: number;
  /** Schemas for unqualified names, first one first (e.g. a test's own schema). */
  readonly searchPath?: readonly string[];
  /**
   * An idle connection failed (e.g. the server restarted). The pool has already discarded it and
   * the next checkout reconnects, so this is for logging; without a listener node would crash.
   */
  readonly onIdleError?: (error: Error) => void;
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Anything that runs a parameterized query: a pool, a checked-out client, a client in a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A pg.Pool with the platform's defaults; one per process, built in `main.ts`, closed with `pool.end()`. */
export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const searchPath = options.searchPath ?? [];
  searchPath.forEach(assertIdentifier);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'supportstream',
    keepAlive: true,
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
    // Validated identifiers only, so no escaping is needed inside the libpq options string.
    ...(searchPath.length === 0 ? {} : { options: `-c search_path=${searchPath.join(',')}` }),
  });
  const onIdleError = options.onIdleError ?? (() => undefined);
  pool.on('error', onIdleError);
  // A client checked out of the pool has no listener of the pool's: when the server goes away
  // while it sits between queries (a step holding its lock transaction during a model call), node
  // would crash on the unhandled 'error' event. Its next query fails instead (a transient error).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}
