import { describe, expect, it } from 'vitest';
import { VectorIndex } from './vectorIndex.js';

/** A small deterministic generator, so a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648 - 0.5;
  };
}

/** The reference: cosine by the definition, every row, sorted by score then id. */
function reference(rows: { id: string; vector: number[]; payload: Record<string, string> }[], query: number[], limit: number, filter?: Record<string, string>, minScore?: number) {
  const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0)) || 1;
  return rows
    .filter((row) => Object.entries(filter ?? {}).every(([key, value]) => row.payload[key] === value))
    .map((row) => ({ id: row.id, score: row.vector.reduce((sum, x, i) => sum + (x / norm(row.vector)) * (query[i]! / norm(query)), 0) }))
    .filter((hit) => minScore === undefined || hit.score >= minScore)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

describe('VectorIndex.search', () => {
  // 7 and 385 are not multiples of the four partial sums; 384 is.
  it.each([7, 384, 385])('ranks like the definition of cosine similarity, with filters and a minimum score (%i dimensions)', (dimensions) => {
    const random = generator(dimensions);
    const index = new VectorIndex(dimensions, 2);
    const rows = Array.from({ length: 300 }, (_, n) => ({
      id: `doc-${String(n).padStart(3, '0')}`,
      vector: Array.from({ length: dimensions }, random),
      payload: { tenantId: n % 3 === 0 ? 'a' : 'b', kind: n % 2 === 0 ? 'resolution' : 'knowledge' },
    }));
    for (const row of rows) index.set(row.id, row.vector, row.payload);
    // A removal swaps the last row into the hole: the search must still see every remaining row.
    index.remove('doc-010');
    const kept = rows.filter((row) => row.id !== 'doc-010');
    for (let q = 0; q < 5; q += 1) {
      const query = Array.from({ length: dimensions }, random);
      for (const [filter, minScore] of [[undefined, undefined], [{ tenantId: 'a' }, undefined], [{ tenantId: 'b', kind: 'resolution' }, 0], [{ tenantId: 'nobody' }, undefined]] as const) {
        const hits = index.search(query, 5, filter, minScore);
        const expected = reference(kept, query, 5, filter, minScore);
        expect(hits.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
        hits.forEach((hit, n) => expect(hit.score).toBeCloseTo(expected[n]!.score, 5));
      }
    }
  });
});
