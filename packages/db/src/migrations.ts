import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, isPlatformError, PlatformError } from '@supportstream/errors';
import type pg from 'pg';
import { isTransientDbError, sqlState, transientOrSelf } from './errors.js';
import { quoteIdentifier } from './identifiers.js';
import { advisoryLockKey, runInTransaction } from './transaction.js';

/** `packages/db/migrations`: one level above both `src/` (tests) and `dist/` (builds). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

const FILE_NAME = /^(\d{3,})_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;

export interface Migration {
  /** The number in the file name (`001_crm.sql` → 1). */
  readonly id: number;
  /** The rest of the file name (`crm`). */
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  /** SHA-256 (hex) of the file with line endings normalized to `\n`. */
  readonly checksum: string;
}

export interface AppliedMigration {
  readonly id: number;
  readonly name: string;
  readonly file: string;
  readonly checksum: string;
  readonly durationMs: number;
}

export interface MigrationRecord {
  readonly id: number;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
}

export interface MigrationOptions {
  /** Folder of `NNN_name.sql` files (default: this package's `migrations/`). */
  readonly dir?: string;
  /** Apply into this schema (created if missing), with its own `schema_migrations`; default: the connection's current schema. */
  readonly schema?: string;
  /** Told after each file is committed, e.g. to log it. */
  readonly onApplied?: (migration: AppliedMigration) => void;
}

export interface MigrationStatus {
  readonly applied: readonly MigrationRecord[];
  readonly pending: readonly Migration[];
}

export function migrationChecksum(sql: string): string {
  // Normalized, so a checkout with CRLF line endings does not look like an edited file.
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** Reads and orders the migration files; a `.sql` file with a bad name or a reused number is an error. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<readonly Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.toLowerCase().endsWith('.sql')).sort();
  const byId = new Map<number, Migration>();
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (match === null) {
      throw new InvalidInputError('MIGRATION_BAD_NAME', `migration file ${file} in ${dir} must be named NNN_name.sql (at least three digits)`, { details: { file } });
    }
    const id = Number(match[1]);
    const other = byId.get(id);
    if (other !== undefined) {
      throw new InvalidInputError('MIGRATION_DUPLICATE_ID', `migrations ${other.file} and ${file} share the number ${id}; renumber one of them`, {
        details: { id, files: [other.file, file] },
      });
    }
    const sql = await readFile(join(dir, file), 'utf8');
    byId.set(id, { id, name: match[2] ?? '', file, sql, checksum: migrationChecksum(sql) });
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function migrationsTable(schema: string | undefined): string {
  return schema === undefined ? 'schema_migrations' : `${quoteIdentifier(schema)}.schema_migrations`;
}

async function readApplied(client: pg.Pool | pg.ClientBase, schema: string | undefined): Promise<MigrationRecord[]> {
  const result = await client.query<{ id: number; name: string; checksum: string; applied_at: Date }>(
    `SELECT id, name, checksum, applied_at FROM ${migrationsTable(schema)} ORDER BY id`,
  );
  return result.rows.map((row) => ({ id: row.id, name: row.name, checksum: row.checksum, appliedAt: row.applied_at }));
}

/** Every applied file must be unchanged; a new file may reuse no applied number under another name. */
function verifyApplied(migrations: readonly Migration[], applied: readonly MigrationRecord[]): Migration[] {
  const appliedById = new Map(applied.map((record) => [record.id, record]));
  for (const migration of migrations) {
    const record = appliedById.get(migration.id);
    if (record === undefined) continue;
    if (record.name !== migration.name) {
      throw new InvalidInputError(
        'MIGRATION_NAME_MISMATCH',
        `migration ${migration.file}: number ${migration.id} was already applied as "${record.name}"; give the new file an unused number`,
        { details: { file: migration.file, appliedName: record.name } },
      );
    }
    if (record.checksum !== migration.checksum) {
      throw new InvalidInputError(
        'MIGRATION_CHECKSUM_MISMATCH',
        `migration ${migration.file} was changed after it was applied on ${record.appliedAt.toISOString()}; restore it and put the change in a new migration`,
        { details: { file: migration.file, appliedChecksum: record.checksum, fileChecksum: migration.checksum } },
      );
    }
  }
  // Files numbered below an already applied one (another branch's reserved number) are still applied, in order.
  return migrations.filter((migration) => !appliedById.has(migration.id));
}

function failure(migration: Migration, error: unknown): unknown {
  if (isPlatformError(error)) return error;
  if (isTransientDbError(error)) return transientOrSelf(error, `migration ${migration.file}`);
  const position = typeof error === 'object' && error !== null && 'position' in error ? Number(error.position) : NaN;
  const line = Number.isFinite(position) ? ` (line ${migration.sql.slice(0, position - 1).split('\n').length})` : '';
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformError('MIGRATION_FAILED', `migration ${migration.file} failed${line}: ${message}`, {
    cause: error,
    details: { file: migration.file, sqlState: sqlState(error) },
  });
}

async function applyOne(client: pg.PoolClient, migration: Migration, schema: string | undefined): Promise<AppliedMigration> {
  const started = performance.now();
  try {
    await runInTransaction(client, async () => {
      if (schema !== undefined) await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
      // No parameters: the simple query protocol, so a file may hold many statements.
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${migrationsTable(schema)} (id, name, checksum) VALUES ($1, $2, $3)`, [migration.id, migration.name, migration.checksum]);
    });
  } catch (error) {
    throw failure(migration, error);
  }
  return { id: migration.id, name: migration.name, file: migration.file, checksum: migration.checksum, durationMs: Math.round(performance.now() - started) };
}

/**
 * Holds a session-level advisory lock for the whole run, so concurrent runners on the same
 * database and schema take turns and the second one finds everything applied. (Session locks
 * need a real session: run migrations directly, not through a transaction-pooling proxy.)
 */
async function withMigrationLock<T>(pool: pg.Pool, schema: string | undefined, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw transientOrSelf(error, 'could not connect to PostgreSQL to run migrations');
  }
  let broken: Error | undefined;
  try {
    const target = schema ?? (await client.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]?.schema ?? '';
    const key = advisoryLockKey(`supportstream:migrations:${target}`).toString();
    await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      return await fn(client);
    } finally {
      try {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      } catch (error) {
        // The lock dies with the session: destroy the connection instead of returning it.
        broken = error instanceof Error ? error : new Error(String(error));
      }
    }
  } catch (error) {
    throw transientOrSelf(error, 'running migrations');
  } finally {
    client.release(broken);
  }
}

async function prepare(client: pg.ClientBase, schema: string | undefined): Promise<void> {
  if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${migrationsTable(schema)} (
       id integer PRIMARY KEY,
       name text NOT NULL,
       checksum text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
}

/**
 * Applies the pending `NNN_name.sql` files in numeric order, each in its own transaction together
 * with its `schema_migrations` row. Refuses to run (naming the file) if an applied file changed.
 * Returns the migrations it applied, in order; an empty array when everything was up to date.
 */
export async function runMigrations(pool: pg.Pool, options: MigrationOptions = {}): Promise<readonly AppliedMigration[]> {
  const schema = options.schema;
  if (schema !== undefined) quoteIdentifier(schema);
  const migrations = await loadMigrations(options.dir);
  return withMigrationLock(pool, schema, async (client) => {
    await prepare(client, schema);
    const pending = verifyApplied(migrations, await readApplied(client, schema));
    const applied: AppliedMigration[] = [];
    for (const migration of pending) {
      const result = await applyOne(client, migration, schema);
      applied.push(result);
      options.onApplied?.(result);
    }
    return applied;
  });
}

/** What is applied and what would be applied; fails like `runMigrations` on a changed file. Changes nothing. */
export async function migrationStatus(pool: pg.Pool, options: Pick<MigrationOptions, 'dir' | 'schema'> = {}): Promise<MigrationStatus> {
  const schema = options.schema;
  if (schema !== undefined) quoteIdentifier(schema);
  const migrations = await loadMigrations(options.dir);
  const table = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [migrationsTable(schema)]);
  if (table.rows[0]?.exists !== true) return { applied: [], pending: migrations };
  const applied = await readApplied(pool, schema);
  return { applied, pending: verifyApplied(migrations, applied) };
}
