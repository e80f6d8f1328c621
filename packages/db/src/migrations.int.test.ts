import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrationStatus, runMigrations } from './migrations.js';
import { createScratchDatabase, createScratchSchema, type ScratchDatabase, type ScratchSchema } from './testing.js';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function scratchSchema(): Promise<ScratchSchema> {
  const scratch = await createScratchSchema('migrations');
  cleanups.push(() => scratch.drop());
  return scratch;
}

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFiles(dir, files);
  return dir;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  await Promise.all(Object.entries(files).map(([name, sql]) => writeFile(join(dir, name), sql)));
}

async function count(scratch: { pool: ScratchSchema['pool'] }, sql: string): Promise<number> {
  const result = await scratch.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`);
  return Number(result.rows[0]?.n);
}

/** Waits (bounded, by polling) until a backend of this application waits on a lock of the given type. */
async function waitForLockWait(scratch: ScratchSchema, applicationName: string, locktype: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await scratch.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE NOT l.granted AND l.locktype = $1 AND a.application_name = $2`,
      [locktype, applicationName],
    );
    if (Number(result.rows[0]?.n) > 0) return;
    if (Date.now() > deadline) throw new Error(`no backend of ${applicationName} waited on a ${locktype} lock within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('runMigrations', () => {
  it('applies the package migrations once into a schema; the second run applies nothing', async () => {
    const scratch = await scratchSchema();
    const expected = await loadMigrations();

    const first = await runMigrations(scratch.pool, { schema: scratch.schema });
    expect(first.map((m) => m.file)).toEqual(expected.map((m) => m.file));
    expect(first[0]).toMatchObject({ id: 1, name: 'crm', file: '001_crm.sql' });
    expect(await count(scratch, 'crm_orders')).toBeGreaterThan(0);
    const recorded = await scratch.pool.query<{ id: number; name: string; checksum: string; applied_at: Date }>('SELECT * FROM schema_migrations ORDER BY id');
    expect(recorded.rows.map((row) => [row.id, row.name, row.checksum])).toEqual(expected.map((m) => [m.id, m.name, m.checksum]));
    expect(recorded.rows[0]?.applied_at).toBeInstanceOf(Date);

    expect(await runMigrations(scratch.pool, { schema: scratch.schema })).toEqual([]);
    expect(await count(scratch, 'schema_migrations')).toBe(expected.length);
    const status = await migrationStatus(scratch.pool, { schema: scratch.schema });
    expect(status.pending).toEqual([]);
    expect(status.applied.map((m) => m.id)).toEqual(expected.map((m) => m.id));
  });

  it('applies a fresh database without a schema option into its current schema (public)', async () => {
    const database: ScratchDatabase = await createScratchDatabase('migrations');
    cleanups.push(() => database.drop());
    const applied = await runMigrations(database.pool);
    expect(applied.map((m) => m.id)).toContain(1);
    const where = await database.pool.query<{ schema: string }>("SELECT table_schema AS schema FROM information_schema.tables WHERE table_name IN ('schema_migrations', 'crm_orders') GROUP BY 1");
    expect(where.rows).toEqual([{ schema: 'public' }]);
    expect(await runMigrations(database.pool)).toEqual([]);
  });

  it('applies only new files later, and those numbered below an applied one too', async () => {
    const scratch = await scratchSchema();
    const dir = await dirWith({ '001_a.sql': 'CREATE TABLE a (id int);', '010_c.sql': 'CREATE TABLE c (id int);' });
    expect((await runMigrations(scratch.pool, { dir, schema: scratch.schema })).map((m) => m.id)).toEqual([1, 10]);
    await writeFiles(dir, { '002_b.sql': 'CREATE TABLE b (id int);', '011_d.sql': 'CREATE TABLE d (id int);' });
    expect((await migrationStatus(scratch.pool, { dir, schema: scratch.schema })).pending.map((m) => m.id)).toEqual([2, 11]);
    expect((await runMigrations(scratch.pool, { dir, schema: scratch.schema })).map((m) => m.file)).toEqual(['002_b.sql', '011_d.sql']);
  });

  it('refuses to run when an applied file was modified, naming it, and applies nothing else', async () => {
    const scratch = await scratchSchema();
    const dir = await dirWith({ '001_a.sql': 'CREATE TABLE a (id int);', '002_b.sql': 'CREATE TABLE b (id int);' });
    await runMigrations(scratch.pool, { dir, schema: scratch.schema });

    await writeFiles(dir, { '002_b.sql': 'CREATE TABLE b (id bigint);', '003_c.sql': 'CREATE TABLE c (id int);' });
    const error = await runMigrations(scratch.pool, { dir, schema: scratch.schema }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH', retriable: false, details: { file: '002_b.sql' } });
    expect((error as Error).message).toContain('002_b.sql');
    expect(await count(scratch, 'schema_migrations')).toBe(2);
    expect(await scratch.pool.query("SELECT to_regclass('c') AS c").then((r) => r.rows[0] as unknown)).toEqual({ c: null });
    await expect(migrationStatus(scratch.pool, { dir, schema: scratch.schema })).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
  });

  it('refuses a new file that reuses an applied number under another name', async () => {
    const scratch = await scratchSchema();
    const dir = await dirWith({ '002_llm_config.sql': 'CREATE TABLE a (id int);' });
    await runMigrations(scratch.pool, { dir, schema: scratch.schema });
    await rm(join(dir, '002_llm_config.sql'));
    await writeFiles(dir, { '002_something_else.sql': 'CREATE TABLE b (id int);' });
    await expect(runMigrations(scratch.pool, { dir, schema: scratch.schema })).rejects.toMatchObject({
      code: 'MIGRATION_NAME_MISMATCH',
      message: expect.stringContaining('002_something_else.sql') as unknown,
    });
  });

  it('rolls a failing file back completely, naming the file', async () => {
    const scratch = await scratchSchema();
    const dir = await dirWith({ '001_a.sql': 'CREATE TABLE a (id int);', '002_b.sql': 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELECT 1 / 0;\n', '003_c.sql': 'CREATE TABLE c (id int);' });
    const error = await runMigrations(scratch.pool, { dir, schema: scratch.schema }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', retriable: false, details: { file: '002_b.sql', sqlState: '22012' } });
    expect((error as Error).message).toBe('migration 002_b.sql failed: division by zero');
    const tables = await scratch.pool.query<{ a: string | null; b: string | null; c: string | null }>("SELECT to_regclass('a')::text AS a, to_regclass('b')::text AS b, to_regclass('c')::text AS c");
    expect(tables.rows[0]).toEqual({ a: 'a', b: null, c: null });
    expect(await count(scratch, 'schema_migrations')).toBe(1);
  });

  it('reports the line of a syntax error', async () => {
    const scratch = await scratchSchema();
    const dir = await dirWith({ '001_a.sql': '-- a comment\nCREATE TABLE a (id int);\nCREAT TABLE b (id int);\n' });
    await expect(runMigrations(scratch.pool, { dir, schema: scratch.schema })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringMatching(/^migration 001_a\.sql failed \(line 3\): syntax error at or near "CREAT"$/) as unknown,
    });
  });

  it('serializes two concurrent runners: each file is applied exactly once', async () => {
    const scratch = await scratchSchema();
    // A gate the first migration has to pass: while the test holds it, the first runner is stuck
    // mid-migration, which is when the second runner must be waiting on the migration lock.
    await scratch.pool.query('CREATE TABLE gate (id int)');
    const dir = await dirWith({ '001_a.sql': 'SELECT count(*) FROM gate;\nCREATE TABLE a (id int);', '002_b.sql': 'INSERT INTO a VALUES (1);' });
    const appName = `runners:${scratch.schema}`;
    const runnerPools = [scratch.newPool({ applicationName: appName }), scratch.newPool({ applicationName: appName })] as const;

    const gate = await scratch.pool.connect();
    const runs: Promise<readonly { id: number }[]>[] = [];
    try {
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE gate IN ACCESS EXCLUSIVE MODE');
      runs.push(...runnerPools.map((pool) => runMigrations(pool, { dir, schema: scratch.schema })));
      await waitForLockWait(scratch, appName, 'relation');
      await waitForLockWait(scratch, appName, 'advisory');
      await gate.query('COMMIT');
    } finally {
      gate.release();
    }
    const [first, second] = await Promise.all(runs);
    expect([...(first ?? []), ...(second ?? [])].map((m) => m.id).sort()).toEqual([1, 2]);
    expect([first?.length, second?.length].sort()).toEqual([0, 2]);
    expect(await count(scratch, 'a')).toBe(1);
    expect(await count(scratch, 'schema_migrations')).toBe(2);
  });
});
