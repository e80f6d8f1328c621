import { QdrantClientResourceExhaustedError, QdrantClientTimeoutError, type QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { InvalidInputError, isPlatformError, PlatformError, TransientError } from '@supportstream/errors';
import { pointIdFor } from './qdrantIds.js';
import {
  checkCollectionName,
  checkDimensions,
  checkFilter,
  checkSearchOptions,
  checkVector,
  collectionNotFound,
  dimensionMismatch,
  prepareDocuments,
  RESERVED_PAYLOAD_KEY,
  type PayloadFilter,
  type VectorStore,
} from './vectorStore.js';

/** The part of `QdrantClient` the adapter uses, so tests can substitute a recording fake. */
export type QdrantLike = Pick<QdrantClient, 'collectionExists' | 'getCollection' | 'createCollection' | 'createPayloadIndex' | 'upsert' | 'query' | 'delete' | 'scroll'>;

export interface QdrantVectorStoreOptions {
  /** Payload keys given a keyword index at collection creation, so filters on them stay fast. */
  readonly indexedPayloadKeys?: readonly string[];
  /** Points per upsert request. */
  readonly batchSize?: number;
}

/**
 * Qdrant adapter (the production store): collections use cosine distance, filters become `must`
 * match conditions on payload keys, string ids become deterministic UUIDs with the original kept in
 * the payload under `__id`. Writes wait for the change to be applied, so a search right after an
 * upsert sees it, as with the other adapters.
 */
export function qdrantVectorStore(client: QdrantLike, options: QdrantVectorStoreOptions = {}): VectorStore {
  const indexedKeys = options.indexedPayloadKeys ?? ['tenantId', 'kind'];
  const batchSize = options.batchSize ?? 256;
  const dimensionsOf = new Map<string, number>();

  async function dimensions(name: string): Promise<number> {
    checkCollectionName(name);
    const known = dimensionsOf.get(name);
    if (known !== undefined) return known;
    const info = await call(name, () => client.getCollection(name));
    const size = vectorSize(info.config.params.vectors);
    if (size === undefined) throw new PlatformError('VECTOR_STORE_FAILED', `Qdrant collection ${JSON.stringify(name)} has no single unnamed vector`);
    dimensionsOf.set(name, size);
    return size;
  }

  return {
    async ensureCollection(name, size) {
      checkCollectionName(name);
      checkDimensions(size);
      const { exists } = await call(name, () => client.collectionExists(name));
      if (!exists) {
        try {
          await client.createCollection(name, { vectors: { size, distance: 'Cosine' } });
          for (const key of indexedKeys) {
            await call(name, () => client.createPayloadIndex(name, { field_name: key, field_schema: 'keyword', wait: true }));
          }
        } catch (error) {
          // Another replica created it first: fine, as long as the dimensions agree (checked below).
          if (status(error) !== 409 && !/already exists/i.test(messageOf(error))) throw asStoreError(error, name);
        }
      }
      dimensionsOf.delete(name);
      const actual = await dimensions(name);
      if (actual !== size) throw dimensionMismatch(name, actual, size);
    },

    async upsert(name, docs) {
      const prepared = prepareDocuments(name, docs, await dimensions(name));
      for (let start = 0; start < prepared.length; start += batchSize) {
        const points = prepared.slice(start, start + batchSize).map((doc) => ({
          id: pointIdFor(doc.id),
          vector: [...doc.vector],
          payload: { ...doc.payload, [RESERVED_PAYLOAD_KEY]: doc.id },
        }));
        await call(name, () => client.upsert(name, { wait: true, points }));
      }
    },

    async search(name, vector, searchOptions) {
      checkSearchOptions(searchOptions);
      checkVector(name, vector, await dimensions(name));
      const response = await call(name, () =>
        client.query(name, {
          query: [...vector],
          limit: searchOptions.limit,
          with_payload: true,
          ...(searchOptions.filter === undefined ? {} : { filter: toFilter(searchOptions.filter) }),
          ...(searchOptions.minScore === undefined ? {} : { score_threshold: searchOptions.minScore }),
        }),
      );
      return response.points.map((point) => ({ ...fromPoint(point.id, point.payload), score: point.score }));
    },

    async delete(name, ids) {
      await dimensions(name);
      if (ids.length === 0) return;
      await call(name, () => client.delete(name, { wait: true, points: ids.map(pointIdFor) }));
    },

    async list(name, listOptions = {}) {
      checkFilter(listOptions.filter);
      await dimensions(name);
      const docs: { id: string; payload: Record<string, unknown> }[] = [];
      let offset: Schemas['ExtendedPointId'] | undefined;
      for (;;) {
        const page = await call(name, () =>
          client.scroll(name, {
            limit: 256,
            with_payload: true,
            with_vector: false,
            ...(offset === undefined ? {} : { offset }),
            ...(listOptions.filter === undefined ? {} : { filter: toFilter(listOptions.filter) }),
          }),
        );
        for (const point of page.points) docs.push(fromPoint(point.id, point.payload));
        const next = page.next_page_offset;
        if (typeof next !== 'string' && typeof next !== 'number') break;
        offset = next;
      }
      return docs;
    },
  };
}

function toFilter(filter: PayloadFilter): Schemas['Filter'] {
  return { must: Object.entries(filter).map(([key, value]) => ({ key, match: { value } })) };
}

function fromPoint(pointId: Schemas['ExtendedPointId'], stored: unknown): { id: string; payload: Record<string, unknown> } {
  const { [RESERVED_PAYLOAD_KEY]: original, ...payload } = (stored ?? {}) as Record<string, unknown>;
  return { id: typeof original === 'string' ? original : String(pointId), payload };
}

function vectorSize(vectors: Schemas['VectorsConfig'] | undefined): number | undefined {
  if (vectors === undefined) return undefined;
  return typeof vectors.size === 'number' ? vectors.size : undefined;
}

async function call<T>(collection: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw asStoreError(error, collection);
  }
}

function status(error: unknown): number | undefined {
  const value = (error as { status?: unknown } | null)?.status;
  return typeof value === 'number' ? value : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const data = (error as { data?: unknown }).data;
    return data === undefined ? error.message : `${error.message} ${JSON.stringify(data)}`;
  }
  return String(error);
}

/** 404 → the collection is missing; 429/5xx, timeouts and network failures → retriable; other 4xx → bad input. */
function asStoreError(error: unknown, collection: string): PlatformError {
  if (isPlatformError(error)) return error;
  const code = status(error);
  const message = messageOf(error);
  const details = { collection, status: code };
  if (code === 404) return collectionNotFound(collection);
  const timedOut = error instanceof QdrantClientTimeoutError || error instanceof QdrantClientResourceExhaustedError;
  // Node's fetch reports a refused or reset connection as a TypeError ("fetch failed").
  if (code === 429 || (code !== undefined && code >= 500) || timedOut || (code === undefined && error instanceof TypeError)) {
    return new TransientError('VECTOR_STORE_UNAVAILABLE', `Qdrant unavailable: ${message}`, { cause: error, details });
  }
  if (code !== undefined && code >= 400) return new InvalidInputError('VECTOR_STORE_REJECTED', `Qdrant rejected the request: ${message}`, { cause: error, details });
  return new PlatformError('VECTOR_STORE_FAILED', `Qdrant request failed: ${message}`, { cause: error, details });
}
