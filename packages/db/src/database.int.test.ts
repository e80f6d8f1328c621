import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from './database.js';
import { quoteIdentifier } from './identifiers.js';
import { testDatabaseUrl } from './testing.js';

const name = `ensure_db_${randomBytes(4).toString('hex')}`;
const url = new URL(testDatabaseUrl());
url.pathname = `/${name}`;

async function databases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>('select datname from pg_database')).rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
});

describe('ensureDatabase (a namespace database)', () => {
  it('creates a missing database once, also when two callers race, and leaves an existing one alone', async () => {
    expect(await databases()).not.toContain(name);
    const created = await Promise.all([ensureDatabase(url.toString()), ensureDatabase(url.toString())]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await databases()).toContain(name);
    expect(await ensureDatabase(url.toString())).toBe(false);
    expect(await ensureDatabase(testDatabaseUrl())).toBe(false);
  });
});
