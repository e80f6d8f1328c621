import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrationChecksum, MIGRATIONS_DIR } from './migrations.js';

const dirs: string[] = [];

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  dirs.push(dir);
  await Promise.all(Object.entries(files).map(([name, sql]) => writeFile(join(dir, name), sql)));
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('loadMigrations', () => {
  it('orders files by number, not by name, and ignores other files', async () => {
    const dir = await dirWith({ '010_c.sql': 'select 3;', '002_b.sql': 'select 2;', '001_a.sql': 'select 1;', 'README.md': '# notes', '1000_d.sql': 'select 4;' });
    const migrations = await loadMigrations(dir);
    expect(migrations.map((m) => [m.id, m.name, m.file])).toEqual([
      [1, 'a', '001_a.sql'],
      [2, 'b', '002_b.sql'],
      [10, 'c', '010_c.sql'],
      [1000, 'd', '1000_d.sql'],
    ]);
    expect(migrations[0]?.sql).toBe('select 1;');
  });

  it('refuses a .sql file that does not follow NNN_name.sql', async () => {
    const dir = await dirWith({ '001_a.sql': 'select 1;', '2_b.sql': 'select 2;' });
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: 'MIGRATION_BAD_NAME', message: expect.stringContaining('2_b.sql') as unknown });
  });

  it('refuses two files with the same number, naming both', async () => {
    const dir = await dirWith({ '002_llm_config.sql': 'select 1;', '002_other.sql': 'select 2;' });
    const error = await loadMigrations(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MIGRATION_DUPLICATE_ID', retriable: false });
    expect((error as Error).message).toContain('002_llm_config.sql');
    expect((error as Error).message).toContain('002_other.sql');
  });

  it('checksums ignore CRLF versus LF but see any other change', () => {
    expect(migrationChecksum('create table a();\r\nselect 1;\r\n')).toBe(migrationChecksum('create table a();\nselect 1;\n'));
    expect(migrationChecksum('select 1;')).not.toBe(migrationChecksum('select 2;'));
    expect(migrationChecksum('select 1;')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds the package migrations from the source tree, 001_crm first', async () => {
    const migrations = await loadMigrations();
    expect(MIGRATIONS_DIR.replace(/\\/g, '/')).toMatch(/packages\/db\/migrations\/?$/);
    expect(migrations[0]).toMatchObject({ id: 1, name: 'crm', file: '001_crm.sql' });
  });
});
