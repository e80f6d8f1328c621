import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdentifier } from './identifiers.js';
import { createPool, type PoolOptions } from './pool.js';

/** The local stack's database (deploy/local/env.sh), unless DATABASE_URL says otherwise. */
export function testDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream';
}

function scratchName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface ScratchSchema {
  readonly schema: string;
  /** A pool whose `search_path` is only this schema, so unqualified names land there. */
  readonly pool: pg.Pool;
  /** Opens another pool on the same schema (e.g. to play a second process). */
  newPool(options?: PoolOptions): pg.Pool;
  /** Closes every pool opened here and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** A uniquely named, empty schema in the test database: tests in parallel do not see each other. */
export async function createScratchSchema(prefix = 'test', options: { readonly databaseUrl?: string } = {}): Promise<ScratchSchema> {
  const databaseUrl = options.databaseUrl ?? testDatabaseUrl();
  const schema = scratchName(prefix);
  const pools: pg.Pool[] = [];
  const newPool = (poolOptions: PoolOptions = {}) => {
    const pool = createPool(databaseUrl, { max: 4, applicationName: `test:${schema}`, ...poolOptions, searchPath: [schema] });
    pools.push(pool);
    return pool;
  };
  const pool = newPool();
  await pool.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  return {
    schema,
    pool,
    newPool,
    async drop() {
      try {
        await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
    },
  };
}

export interface ScratchDatabase {
  readonly database: string;
  readonly databaseUrl: string;
  readonly pool: pg.Pool;
  newPool(options?: PoolOptions): pg.Pool;
  /** Closes the pools and drops the database (forcing out any leftover connection). */
  drop(): Promise<void>;
}

/** A freshly created, empty database (the test role has CREATEDB). Slower than a schema; use for database-wide behaviour. */
export async function createScratchDatabase(prefix = 'test', options: { readonly databaseUrl?: string } = {}): Promise<ScratchDatabase> {
  const adminUrl = options.databaseUrl ?? testDatabaseUrl();
  const database = scratchName(prefix);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const pools: pg.Pool[] = [];
  const newPool = (poolOptions: PoolOptions = {}) => {
    const pool = createPool(databaseUrl, { max: 4, applicationName: `test:${database}`, ...poolOptions });
    pools.push(pool);
    return pool;
  };
  return {
    database,
    databaseUrl,
    pool: newPool(),
    newPool,
    async drop() {
      await Promise.all(pools.map((p) => p.end()));
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
