import type { Schemas } from '@qdrant/js-client-rest';
import type { QdrantLike } from '../src/vectors/qdrantVectorStore.js';

/**
 * A stand-in for Qdrant's REST API, written from its documentation, for unit tests of the adapter's
 * mapping (UUID ids, `must` filters, payload, errors) on machines without a Qdrant server. It
 * models only what the adapter uses, is stricter where Qdrant is strict (point ids must be UUIDs
 * or unsigned integers, filters must be well formed), and is no substitute for the contract suite
 * against a real Qdrant (`QDRANT_URL`).
 */
export interface FakeQdrant {
  readonly client: QdrantLike;
  readonly calls: { method: string; collection: string; args: unknown }[];
  /** Makes the next call fail with this HTTP status, or with a network error for `'network'`. */
  failNext(status: number | 'network'): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Point {
  id: string | number;
  vector: number[];
  payload: Record<string, unknown>;
}

const completed: Schemas['UpdateResult'] = { status: 'completed' };

function apiError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, data: { status: { error: message } } });
}

export function fakeQdrant(): FakeQdrant {
  const collections = new Map<string, { size: number; points: Map<string, Point> }>();
  const calls: FakeQdrant['calls'] = [];
  let failure: number | 'network' | undefined;

  const enter = (method: string, collection: string, args: unknown) => {
    calls.push({ method, collection, args });
    const pending = failure;
    failure = undefined;
    if (pending === 'network') throw new TypeError('fetch failed');
    if (pending !== undefined) throw apiError(pending, `injected ${pending}`);
  };
  const get = (name: string) => {
    const collection = collections.get(name);
    if (collection === undefined) throw apiError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  };
  const checkId = (id: unknown): string | number => {
    if ((typeof id === 'string' && UUID.test(id)) || (typeof id === 'number' && Number.isInteger(id) && id >= 0)) return id;
    throw apiError(400, `Format error in JSON body: value ${String(id)} is not a valid point ID`);
  };
  const matches = (payload: Record<string, unknown>, filter: unknown): boolean => {
    if (filter === undefined || filter === null) return true;
    const { must, ...rest } = filter as { must?: unknown };
    if (Object.keys(rest).length > 0 || !Array.isArray(must)) throw apiError(400, 'unsupported filter in fake');
    return must.every((condition: unknown) => {
      const { key, match } = condition as { key?: unknown; match?: { value?: unknown } };
      if (typeof key !== 'string' || match === undefined || !('value' in match)) throw apiError(400, 'malformed condition');
      return payload[key] === match.value;
    });
  };
  const normalise = (vector: number[]) => {
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  };
  const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  const client = {
    collectionExists(name: string): Promise<Schemas['CollectionExistence']> {
      return Promise.resolve().then(() => {
        enter('collectionExists', name, undefined);
        return { exists: collections.has(name) };
      });
    },
    getCollection(name: string): Promise<Schemas['CollectionInfo']> {
      return Promise.resolve().then(() => {
        enter('getCollection', name, undefined);
        const { size } = get(name);
        return { config: { params: { vectors: { size, distance: 'Cosine' } } } } as unknown as Schemas['CollectionInfo'];
      });
    },
    createCollection(name: string, args: { vectors?: Schemas['VectorsConfig'] }): Promise<boolean> {
      return Promise.resolve().then(() => {
        enter('createCollection', name, args);
        if (collections.has(name)) throw apiError(409, `Wrong input: Collection \`${name}\` already exists!`);
        const vectors = args.vectors as Schemas['VectorParams'];
        if (vectors.distance !== 'Cosine') throw apiError(400, 'fake supports Cosine only');
        collections.set(name, { size: vectors.size, points: new Map() });
        return true;
      });
    },
    createPayloadIndex(name: string, args: unknown): Promise<Schemas['UpdateResult']> {
      return Promise.resolve().then(() => {
        enter('createPayloadIndex', name, args);
        get(name);
        return completed;
      });
    },
    upsert(name: string, args: { wait?: boolean; points?: Schemas['PointStruct'][] }): Promise<Schemas['UpdateResult']> {
      return Promise.resolve().then(() => {
        enter('upsert', name, args);
        const collection = get(name);
        const points = (args.points ?? []).map((point) => {
          const vector = point.vector as number[];
          if (vector.length !== collection.size) throw apiError(400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${vector.length}`);
          return { id: checkId(point.id), vector: normalise(vector), payload: clone(point.payload ?? {}) };
        });
        for (const point of points) collection.points.set(String(point.id), point);
        return completed;
      });
    },
    query(name: string, args: { query?: unknown; limit?: number; filter?: unknown; with_payload?: unknown; score_threshold?: number }): Promise<Schemas['QueryResponse']> {
      return Promise.resolve().then(() => {
        enter('query', name, args);
        const collection = get(name);
        const query = args.query as number[];
        if (query.length !== collection.size) throw apiError(400, 'Wrong input: Vector dimension error');
        const q = normalise(query);
        const scored = [...collection.points.values()]
          .filter((point) => matches(point.payload, args.filter))
          .map((point) => ({ point, score: point.vector.reduce((sum, value, i) => sum + value * q[i]!, 0) }))
          .filter(({ score }) => args.score_threshold === undefined || score >= args.score_threshold)
          .sort((a, b) => b.score - a.score)
          .slice(0, args.limit ?? 10);
        return {
          points: scored.map(({ point, score }) => ({ id: point.id, version: 1, score, ...(args.with_payload === true ? { payload: clone(point.payload) } : {}) })),
        };
      });
    },
    delete(name: string, args: { wait?: boolean; points?: Schemas['ExtendedPointId'][] }): Promise<Schemas['UpdateResult']> {
      return Promise.resolve().then(() => {
        enter('delete', name, args);
        const collection = get(name);
        for (const id of args.points ?? []) collection.points.delete(String(checkId(id)));
        return completed;
      });
    },
    scroll(name: string, args: { limit?: number | null; offset?: unknown; filter?: unknown; with_payload?: unknown } = {}): Promise<Schemas['ScrollResult']> {
      return Promise.resolve().then(() => {
        enter('scroll', name, args);
        const collection = get(name);
        const limit = args.limit ?? 10;
        const sorted = [...collection.points.values()].filter((point) => matches(point.payload, args.filter)).sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
        const start = args.offset === undefined || args.offset === null ? 0 : sorted.findIndex((point) => String(point.id) >= String(args.offset));
        const page = start < 0 ? [] : sorted.slice(start, start + limit);
        const next = start < 0 ? undefined : sorted[start + limit];
        return {
          points: page.map((point) => ({ id: point.id, ...(args.with_payload === true ? { payload: clone(point.payload) } : {}) })),
          next_page_offset: next === undefined ? null : next.id,
        };
      });
    },
  };

  return {
    client: client as unknown as QdrantLike,
    calls,
    failNext(status) {
      failure = status;
    },
  };
}
