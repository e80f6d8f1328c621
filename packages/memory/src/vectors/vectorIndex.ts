import { matchesFilter, type PayloadFilter, type StoredDocument, type VectorHit } from './vectorStore.js';

/**
 * A brute-force cosine index held in one growable Float32Array (row-major, unit-normalised rows),
 * so a search is a single pass of dot products over contiguous memory. Shared by the in-memory
 * twin and the PostgreSQL-backed store, which keeps one of these per collection in each replica.
 *
 * Cost: 4 × dimensions bytes per vector (1.5 KiB at 384) and one dot product per stored vector per
 * search — about 60 ms for 100 000 × 384 on one core (measured on a dev machine).
 */
export class VectorIndex {
  readonly dimensions: number;
  private matrix: Float32Array;
  private ids: string[] = [];
  private payloads: Record<string, unknown>[] = [];
  private rowOf = new Map<string, number>();

  constructor(dimensions: number, initialCapacity = 64) {
    this.dimensions = dimensions;
    this.matrix = new Float32Array(dimensions * initialCapacity);
  }

  get size(): number {
    return this.ids.length;
  }

  set(id: string, vector: readonly number[], payload: Record<string, unknown>): void {
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      this.grow(row + 1);
      this.ids.push(id);
      this.payloads.push(payload);
      this.rowOf.set(id, row);
    } else {
      this.payloads[row] = payload;
    }
    const offset = row * this.dimensions;
    const norm = l2norm(vector) || 1;
    for (let i = 0; i < this.dimensions; i++) this.matrix[offset + i] = (vector[i] ?? 0) / norm;
  }

  /** Swap-removes: the last row moves into the hole, so the matrix stays dense. */
  remove(id: string): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    const last = this.ids.length - 1;
    if (row !== last) {
      const lastId = this.ids[last]!;
      this.matrix.copyWithin(row * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      this.ids[row] = lastId;
      this.payloads[row] = this.payloads[last]!;
      this.rowOf.set(lastId, row);
    }
    this.ids.pop();
    this.payloads.pop();
    this.rowOf.delete(id);
  }

  clear(): void {
    this.ids = [];
    this.payloads = [];
    this.rowOf = new Map();
  }

  search(vector: readonly number[], limit: number, filter?: PayloadFilter, minScore?: number): VectorHit[] {
    const dims = this.dimensions;
    const query = new Float32Array(dims);
    const norm = l2norm(vector) || 1;
    for (let i = 0; i < dims; i++) query[i] = (vector[i] ?? 0) / norm;
    // Best `limit` hits kept sorted (score desc, then id asc so ties do not depend on insertion order).
    const top: { row: number; score: number }[] = [];
    const better = (a: { row: number; score: number }, b: { row: number; score: number }) =>
      a.score > b.score || (a.score === b.score && this.ids[a.row]! < this.ids[b.row]!);
    const matrix = this.matrix;
    const payloads = this.payloads;
    // The filter's pairs once, not an Object.entries per row: a search visits every row.
    const pairs = filter === undefined ? [] : Object.entries(filter);
    const rows = this.ids.length;
    const unrolled = dims - (dims % 4);
    for (let row = 0; row < rows; row++) {
      if (pairs.length > 0) {
        const payload = payloads[row]!;
        let matches = true;
        for (const [key, value] of pairs) {
          if (payload[key] !== value) {
            matches = false;
            break;
          }
        }
        if (!matches) continue;
      }
      // Four partial sums: independent additions the CPU overlaps, about twice the speed of one chain.
      const offset = row * dims;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let i = 0;
      for (; i < unrolled; i += 4) {
        d0 += matrix[offset + i]! * query[i]!;
        d1 += matrix[offset + i + 1]! * query[i + 1]!;
        d2 += matrix[offset + i + 2]! * query[i + 2]!;
        d3 += matrix[offset + i + 3]! * query[i + 3]!;
      }
      for (; i < dims; i++) d0 += matrix[offset + i]! * query[i]!;
      const dot = d0 + d1 + (d2 + d3);
      if (minScore !== undefined && dot < minScore) continue;
      if (top.length === limit && !better({ row, score: dot }, top[top.length - 1]!)) continue;
      const hit = { row, score: dot };
      let at = top.length;
      while (at > 0 && better(hit, top[at - 1]!)) at--;
      top.splice(at, 0, hit);
      if (top.length > limit) top.pop();
    }
    return top.map(({ row, score }) => ({ id: this.ids[row]!, score, payload: structuredClone(this.payloads[row]!) }));
  }

  list(filter?: PayloadFilter): StoredDocument[] {
    const docs: StoredDocument[] = [];
    for (let row = 0; row < this.ids.length; row++) {
      if (matchesFilter(this.payloads[row]!, filter)) docs.push({ id: this.ids[row]!, payload: structuredClone(this.payloads[row]!) });
    }
    return docs;
  }

  private grow(rows: number): void {
    const needed = rows * this.dimensions;
    if (needed <= this.matrix.length) return;
    const next = new Float32Array(Math.max(needed, this.matrix.length * 2));
    next.set(this.matrix);
    this.matrix = next;
  }
}

function l2norm(vector: readonly number[]): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}
