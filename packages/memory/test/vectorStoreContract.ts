import { isPlatformError } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import type { VectorStore } from '../src/vectors/vectorStore.js';

export interface VectorStoreHarness {
  readonly store: VectorStore;
  /** A collection name no other test uses (the stores are shared between tests and runs). */
  readonly collection: () => string;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isPlatformError(error) ? error.code : `not a PlatformError: ${String(error)}`;
  }
  return 'resolved';
}

const unit = (...values: number[]) => values;

/**
 * The behaviour every VectorStore adapter shares (memory, PostgreSQL, Qdrant). Vectors here are
 * small and hand-made, so every expected order and score can be worked out on paper.
 */
export function vectorStoreContract(name: string, setup: () => VectorStoreHarness | Promise<VectorStoreHarness>): void {
  describe(`VectorStore contract: ${name}`, () => {
    it('returns the nearest documents by cosine similarity, best first, with their payloads', async () => {
      const { store, collection } = await setup();
      const c = collection();
      await store.ensureCollection(c, 3);
      await store.upsert(c, [
        { id: 'x', vector: unit(1, 0, 0), payload: { label: 'x', nested: { n: 1, list: ['a', 2] } } },
        { id: 'xy', vector: unit(1, 1, 0), payload: { label: 'xy' } },
        { id: 'y', vector: unit(0, 2, 0), payload: { label: 'y' } },
        { id: '-x', vector: unit(-3, 0, 0), payload: { label: '-x' } },
      ]);
      const hits = await store.search(c, unit(2, 0.2, 0), { limit: 3 });
      expect(hits.map((hit) => hit.id)).toEqual(['x', 'xy', 'y']);
      expect(hits[0]!.score).toBeCloseTo(2 / Math.hypot(2, 0.2), 4);
      expect(hits[1]!.score).toBeCloseTo(2.2 / (Math.hypot(2, 0.2) * Math.SQRT2), 4);
      expect(hits[0]!.payload).toEqual({ label: 'x', nested: { n: 1, list: ['a', 2] } });
      const all = await store.search(c, unit(1, 0, 0), { limit: 10 });
      expect(all.map((hit) => hit.id)).toEqual(['x', 'xy', 'y', '-x']);
      expect(all[3]!.score).toBeCloseTo(-1, 4);
    });

    it('filters by exact match on every given payload key', async () => {
      const { store, collection } = await setup();
      const c = collection();
      await store.ensureCollection(c, 2);
      await store.upsert(c, [
        { id: 'a1', vector: unit(1, 0), payload: { tenantId: 'a', kind: 'knowledge' } },
        { id: 'a2', vector: unit(1, 0.1), payload: { tenantId: 'a', kind: 'resolution' } },
        { id: 'b1', vector: unit(1, 0), payload: { tenantId: 'b', kind: 'knowledge' } },
        { id: 'n1', vector: unit(1, 0), payload: { tenantId: 1, kind: 'knowledge' } },
      ]);
      const byTenant = await store.search(c, unit(1, 0), { limit: 10, filter: { tenantId: 'a' } });
      expect(byTenant.map((hit) => hit.id)).toEqual(['a1', 'a2']);
      const both = await store.search(c, unit(1, 0), { limit: 10, filter: { tenantId: 'a', kind: 'resolution' } });
      expect(both.map((hit) => hit.id)).toEqual(['a2']);
      expect(await store.search(c, unit(1, 0), { limit: 10, filter: { tenantId: 'c' } })).toEqual([]);
      // A number is not the string "1".
      expect(await store.search(c, unit(1, 0), { limit: 10, filter: { tenantId: '1' } })).toEqual([]);
      expect((await store.list(c, { filter: { kind: 'knowledge' } })).map((doc) => doc.id).sort()).toEqual(['a1', 'b1', 'n1']);
    });

    it('drops hits below minScore and honours the limit', async () => {
      const { store, collection } = await setup();
      const c = collection();
      await store.ensureCollection(c, 2);
      await store.upsert(c, [
        { id: 'same', vector: unit(1, 0), payload: {} },
        { id: 'near', vector: unit(1, 0.5), payload: {} }, // cos ≈ 0.894
        { id: 'far', vector: unit(0, 1), payload: {} }, // cos = 0
      ]);
      expect((await store.search(c, unit(1, 0), { limit: 10, minScore: 0.5 })).map((hit) => hit.id)).toEqual(['same', 'near']);
      expect((await store.search(c, unit(1, 0), { limit: 1 })).map((hit) => hit.id)).toEqual(['same']);
    });

    it('replaces a document on upsert with the same id, and the last duplicate in a batch wins', async () => {
      const { store, collection } = await setup();
      const c = collection();
      await store.ensureCollection(c, 2);
      await store.upsert(c, [{ id: 'doc', vector: unit(1, 0), payload: { version: 1 } }]);
      await store.upsert(c, [
        { id: 'doc', vector: unit(0, 1), payload: { version: 2 } },
        { id: 'doc', vector: unit(0, 1), payload: { version: 3 } },
      ]);
      const hits = await store.search(c, unit(0, 1), { limit: 10 });
      expect(hits).toHaveLength(1);
      expect(hits[0]!.id).toBe('doc');
      expect(hits[0]!.score).toBeCloseTo(1, 4);
      expect(hits[0]!.payload).toEqual({ version: 3 });
      expect(await store.list(c)).toEqual([{ id: 'doc', payload: { version: 3 } }]);
    });

    it('keeps arbitrary string ids, including ones that look like paths and unicode', async () => {
      const { store, collection } = await setup();
      const c = collection();
      const ids = ['*:refund-policy.md#refund-policy/duplicate-charges:0', 'tenant a:ünïcødé 🎉', '42', '00000000-0000-0000-0000-000000000000'];
      await store.ensureCollection(c, 2);
      await store.upsert(c, ids.map((id, i) => ({ id, vector: unit(1, i), payload: { i } })));
      expect((await store.list(c)).map((doc) => doc.id).sort()).toEqual([...ids].sort());
      expect((await store.search(c, unit(1, 0), { limit: 1 }))[0]!.id).toBe(ids[0]);
    });

    it('deletes by id and ignores unknown ids', async () => {
      const { store, collection } = await setup();
      const c = collection();
      await store.ensureCollection(c, 2);
      await store.upsert(c, [
        { id: 'keep', vector: unit(1, 0), payload: {} },
        { id: 'drop', vector: unit(1, 0.1), payload: {} },
      ]);
      await store.search(c, unit(1, 0), { limit: 10 }); // a cached copy must notice the delete
      await store.delete(c, ['drop', 'never-existed']);
      await store.delete(c, []);
      expect((await store.search(c, unit(1, 0), { limit: 10 })).map((hit) => hit.id)).toEqual(['keep']);
      expect((await store.list(c)).map((doc) => doc.id)).toEqual(['keep']);
    });

    it('sees writes made after a search (no stale cache)', async () => {
      const { store, collection } = await setup();
      const c = collection();
      await store.ensureCollection(c, 2);
      await store.upsert(c, [{ id: 'first', vector: unit(1, 0), payload: { n: 1 } }]);
      expect(await store.search(c, unit(0, 1), { limit: 10 })).toHaveLength(1);
      await store.upsert(c, [
        { id: 'second', vector: unit(0, 1), payload: { n: 2 } },
        { id: 'first', vector: unit(1, 0), payload: { n: 11 } },
      ]);
      const hits = await store.search(c, unit(0, 1), { limit: 10 });
      expect(hits.map((hit) => [hit.id, hit.payload['n']])).toEqual([
        ['second', 2],
        ['first', 11],
      ]);
    });

    it('keeps collections apart', async () => {
      const { store, collection } = await setup();
      const [one, two] = [collection(), collection()];
      await store.ensureCollection(one, 2);
      await store.ensureCollection(two, 2);
      await store.upsert(one, [{ id: 'same-id', vector: unit(1, 0), payload: { in: 'one' } }]);
      await store.upsert(two, [{ id: 'same-id', vector: unit(0, 1), payload: { in: 'two' } }]);
      expect((await store.search(one, unit(1, 0), { limit: 5 }))[0]!.payload).toEqual({ in: 'one' });
      expect((await store.search(two, unit(1, 0), { limit: 5 }))[0]!.payload).toEqual({ in: 'two' });
      await store.delete(one, ['same-id']);
      expect(await store.list(one)).toEqual([]);
      expect(await store.list(two)).toHaveLength(1);
    });

    it('ensureCollection is idempotent and refuses other dimensions', async () => {
      const { store, collection } = await setup();
      const c = collection();
      await store.ensureCollection(c, 4);
      await store.upsert(c, [{ id: 'a', vector: unit(1, 2, 3, 4), payload: {} }]);
      await store.ensureCollection(c, 4);
      expect(await store.list(c)).toHaveLength(1);
      expect(await codeOf(store.ensureCollection(c, 5))).toBe('VECTOR_DIMENSION_MISMATCH');
    });

    it('rejects wrong input with non-retriable errors, leaving the collection unchanged', async () => {
      const { store, collection } = await setup();
      const c = collection();
      const missing = collection();
      await store.ensureCollection(c, 3);
      await store.upsert(c, [{ id: 'ok', vector: unit(1, 0, 0), payload: {} }]);
      expect(await codeOf(store.upsert(c, [{ id: 'short', vector: unit(1, 0), payload: {} }]))).toBe('VECTOR_DIMENSION_MISMATCH');
      expect(await codeOf(store.upsert(c, [{ id: 'zero', vector: unit(0, 0, 0), payload: {} }]))).toBe('VECTOR_INVALID');
      expect(await codeOf(store.upsert(c, [{ id: 'nan', vector: unit(1, Number.NaN, 0), payload: {} }]))).toBe('VECTOR_INVALID');
      expect(await codeOf(store.upsert(c, [{ id: '', vector: unit(1, 0, 0), payload: {} }]))).toBe('VECTOR_ID_INVALID');
      expect(await codeOf(store.upsert(c, [{ id: 'r', vector: unit(1, 0, 0), payload: { __id: 'x' } }]))).toBe('VECTOR_PAYLOAD_INVALID');
      expect(await codeOf(store.search(c, unit(1, 0), { limit: 1 }))).toBe('VECTOR_DIMENSION_MISMATCH');
      expect(await codeOf(store.search(c, unit(1, 0, 0), { limit: 0 }))).toBe('VECTOR_SEARCH_INVALID');
      expect(await codeOf(store.search(c, unit(1, 0, 0), { limit: 1, filter: { 'a.b': 'x' } }))).toBe('VECTOR_FILTER_INVALID');
      expect(await codeOf(store.ensureCollection('bad name!', 3))).toBe('VECTOR_COLLECTION_INVALID');
      expect(await codeOf(store.ensureCollection(collection(), 0))).toBe('VECTOR_DIMENSION_INVALID');
      for (const operation of [
        () => store.search(missing, unit(1, 0, 0), { limit: 1 }),
        () => store.upsert(missing, [{ id: 'a', vector: unit(1, 0, 0), payload: {} }]),
        () => store.delete(missing, ['a']),
        () => store.list(missing),
      ]) {
        expect(await codeOf(operation())).toBe('VECTOR_COLLECTION_NOT_FOUND');
      }
      // A batch with one bad document writes nothing.
      expect(await codeOf(store.upsert(c, [{ id: 'good', vector: unit(0, 1, 0), payload: {} }, { id: 'bad', vector: unit(1), payload: {} }]))).toBe(
        'VECTOR_DIMENSION_MISMATCH',
      );
      expect((await store.list(c)).map((doc) => doc.id)).toEqual(['ok']);
    });

    it('handles a few thousand vectors in one upsert and finds the exact one', async () => {
      const { store, collection } = await setup();
      const c = collection();
      const dims = 16;
      const vectorOf = (i: number) => Array.from({ length: dims }, (_, d) => Math.sin(i * 7.3 + d * 1.1) + (d === i % dims ? 2 : 0));
      await store.ensureCollection(c, dims);
      await store.upsert(c, Array.from({ length: 2000 }, (_, i) => ({ id: `doc-${i}`, vector: vectorOf(i), payload: { i, group: i % 2 === 0 ? 'even' : 'odd' } })));
      const hits = await store.search(c, vectorOf(1234), { limit: 3 });
      expect(hits[0]!.id).toBe('doc-1234');
      expect(hits[0]!.score).toBeCloseTo(1, 4);
      const odd = await store.search(c, vectorOf(1234), { limit: 3, filter: { group: 'odd' } });
      expect(odd.every((hit) => hit.payload['group'] === 'odd')).toBe(true);
      expect(await store.list(c, { filter: { group: 'even' } })).toHaveLength(1000);
    });
  });
}
