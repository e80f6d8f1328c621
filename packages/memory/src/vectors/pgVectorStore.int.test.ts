import { stackConfig, uniqueName } from '@supportstream/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vectorStoreContract } from '../../test/vectorStoreContract.js';
import { pgVectorStore, type PgVectorStore } from './pgVectorStore.js';

const pool = new pg.Pool({ connectionString: stackConfig().DATABASE_URL, max: 4 });
const created: string[] = [];
let store: PgVectorStore;

beforeAll(async () => {
  store = pgVectorStore(pool);
  await store.ensureSchema();
});

afterAll(async () => {
  for (const name of created) await store.dropCollection(name);
  await pool.end();
});

function collection(): string {
  const name = uniqueName('vec').replace(/[^A-Za-z0-9_-]/g, '_');
  created.push(name);
  return name;
}

vectorStoreContract('PostgreSQL (embedded default)', () => ({ store, collection }));

describe('pgVectorStore across replicas', () => {
  it('ensureSchema is idempotent, also when replicas run it at once', async () => {
    await Promise.all([pgVectorStore(pool).ensureSchema(), pgVectorStore(pool).ensureSchema(), store.ensureSchema()]);
  });

  it('a replica that cached a collection sees another replica’s upserts and deletes', async () => {
    const writer = pgVectorStore(pool);
    const reader = pgVectorStore(pool);
    const c = collection();
    await writer.ensureCollection(c, 2);
    await writer.upsert(c, [
      { id: 'a', vector: [1, 0], payload: { v: 1 } },
      { id: 'b', vector: [0, 1], payload: { v: 1 } },
    ]);
    expect((await reader.search(c, [1, 0], { limit: 5 })).map((hit) => hit.id)).toEqual(['a', 'b']);

    await writer.upsert(c, [{ id: 'c', vector: [1, 0.1], payload: { v: 2 } }, { id: 'b', vector: [0, 1], payload: { v: 2 } }]);
    const afterUpsert = await reader.search(c, [1, 0], { limit: 5 });
    expect(afterUpsert.map((hit) => [hit.id, hit.payload['v']])).toEqual([
      ['a', 1],
      ['c', 2],
      ['b', 2],
    ]);

    await writer.delete(c, ['a']);
    expect((await reader.search(c, [1, 0], { limit: 5 })).map((hit) => hit.id)).toEqual(['c', 'b']);

    await writer.dropCollection(c);
    await expect(reader.search(c, [1, 0], { limit: 5 })).rejects.toMatchObject({ code: 'VECTOR_COLLECTION_NOT_FOUND' });
    await writer.ensureCollection(c, 2);
    await writer.upsert(c, [{ id: 'fresh', vector: [1, 0], payload: {} }]);
    expect((await reader.search(c, [1, 0], { limit: 5 })).map((hit) => hit.id)).toEqual(['fresh']);
  });

  it('applies a delete followed by a re-upsert of the same id in order', async () => {
    const writer = pgVectorStore(pool);
    const reader = pgVectorStore(pool);
    const c = collection();
    await writer.ensureCollection(c, 2);
    await writer.upsert(c, [{ id: 'a', vector: [1, 0], payload: { v: 1 } }, { id: 'b', vector: [0, 1], payload: {} }]);
    expect(await reader.list(c)).toHaveLength(2);
    await writer.delete(c, ['a', 'b']);
    await writer.upsert(c, [{ id: 'a', vector: [1, 0], payload: { v: 2 } }]);
    expect(await reader.list(c)).toEqual([{ id: 'a', payload: { v: 2 } }]);
    const { rows } = await pool.query('SELECT id FROM memory_vector_deletions WHERE collection = $1 ORDER BY id', [c]);
    expect(rows).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('a replica that missed deletions already purged from the log reloads the collection', async () => {
    const writer = pgVectorStore(pool, { deletionRetentionSeconds: 0 });
    const reader = pgVectorStore(pool);
    const c = collection();
    await writer.ensureCollection(c, 2);
    await writer.upsert(c, ['a', 'b', 'c'].map((id) => ({ id, vector: [1, 0], payload: {} })));
    expect(await reader.list(c)).toHaveLength(3);
    await writer.delete(c, ['a']);
    await writer.delete(c, ['b']); // purges the log entry of 'a'
    const { rows } = await pool.query('SELECT id FROM memory_vector_deletions WHERE collection = $1', [c]);
    expect(rows).toEqual([{ id: 'b' }]);
    expect((await reader.list(c)).map((doc) => doc.id)).toEqual(['c']);
  });

  it('with a refresh interval, answers from its cache until the interval passed', async () => {
    let clock = 0;
    const writer = pgVectorStore(pool);
    const reader = pgVectorStore(pool, { refreshIntervalMs: 1_000, now: () => clock });
    const c = collection();
    await writer.ensureCollection(c, 2);
    await writer.upsert(c, [{ id: 'a', vector: [1, 0], payload: {} }]);
    expect(await reader.search(c, [1, 0], { limit: 5 })).toHaveLength(1);
    await writer.upsert(c, [{ id: 'b', vector: [1, 0], payload: {} }]);
    clock += 999;
    expect(await reader.search(c, [1, 0], { limit: 5 })).toHaveLength(1);
    clock += 1;
    expect(await reader.search(c, [1, 0], { limit: 5 })).toHaveLength(2);
  });

  it('concurrent writers never leave a replica with a gap', async () => {
    const reader = pgVectorStore(pool);
    const c = collection();
    await store.ensureCollection(c, 2);
    await reader.list(c);
    const writers = Array.from({ length: 4 }, () => pgVectorStore(pool));
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        writers[i % writers.length]!.upsert(c, [{ id: `doc-${i}`, vector: [1, i], payload: { i } }]).then(() => reader.list(c)),
      ),
    );
    expect(await reader.list(c)).toHaveLength(40);
  });

  it('stores vectors as real[] with a revision, ready to move into a migration', async () => {
    const c = collection();
    await store.ensureCollection(c, 3);
    await store.upsert(c, [{ id: 'x', vector: [0.5, 0.25, 1], payload: { tenantId: 't1' } }]);
    const { rows } = await pool.query<{ vector: number[]; payload: unknown; revision: string }>(
      'SELECT vector, payload, revision::text AS revision FROM memory_vectors WHERE collection = $1',
      [c],
    );
    expect(rows).toEqual([{ vector: [0.5, 0.25, 1], payload: { tenantId: 't1' }, revision: expect.stringMatching(/^\d+$/) as unknown }]);
  });

  it('reports an unreachable database as retriable', async () => {
    const dead = new pg.Pool({ connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none', connectionTimeoutMillis: 1_000 });
    try {
      await expect(pgVectorStore(dead).search('anything', [1], { limit: 1 })).rejects.toMatchObject({ code: 'VECTOR_STORE_UNAVAILABLE', retriable: true });
    } finally {
      await dead.end();
    }
  });
});
