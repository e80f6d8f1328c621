import { InvalidInputError } from '@supportstream/errors';

/** One stored vector with its JSON payload. Ids are caller-chosen strings (chunk or conversation ids). */
export interface VectorDocument {
  readonly id: string;
  readonly vector: readonly number[];
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Exact match on top-level payload keys whose values are strings (e.g. `tenantId`, `kind`), ANDed. */
export type PayloadFilter = Readonly<Record<string, string>>;

export interface VectorSearchOptions {
  /** At most this many hits, best first; an integer ≥ 1. */
  readonly limit: number;
  readonly filter?: PayloadFilter;
  /** Drop hits whose cosine similarity is below this. */
  readonly minScore?: number;
}

export interface VectorHit {
  readonly id: string;
  /** Cosine similarity in [-1, 1]. */
  readonly score: number;
  readonly payload: Record<string, unknown>;
}

export interface StoredDocument {
  readonly id: string;
  readonly payload: Record<string, unknown>;
}

/**
 * Tier 3 of memory: a store of vectors compared by cosine similarity. Implemented by an in-memory
 * twin (tests), the embedded PostgreSQL-backed default and Qdrant; `test/vectorStoreContract.ts`
 * holds the behaviour all of them share.
 *
 * - `upsert` replaces a document with the same id; within one call the last duplicate wins.
 * - `upsert`, `search`, `list` and `delete` on a collection that was never ensured throw
 *   `VECTOR_COLLECTION_NOT_FOUND`; a vector of the wrong length throws `VECTOR_DIMENSION_MISMATCH`.
 * - Payloads round-trip as JSON. The key `__id` is reserved (Qdrant keeps the original id there).
 */
export interface VectorStore {
  /** Creates the collection if missing; an existing one must have the same dimensions. */
  ensureCollection(name: string, dimensions: number): Promise<void>;
  upsert(name: string, docs: readonly VectorDocument[]): Promise<void>;
  search(name: string, vector: readonly number[], options: VectorSearchOptions): Promise<VectorHit[]>;
  /** Deletes by id; unknown ids are ignored. */
  delete(name: string, ids: readonly string[]): Promise<void>;
  /**
   * Every document matching the filter, without vectors, in no particular order. Not in the
   * original four-method port: knowledge ingest needs it to find removed sections and unchanged
   * chunks, and an erasure request needs it to find a customer's resolutions.
   */
  list(name: string, options?: { readonly filter?: PayloadFilter }): Promise<StoredDocument[]>;
}

export const RESERVED_PAYLOAD_KEY = '__id';

const COLLECTION_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const FILTER_KEY = /^[A-Za-z0-9_]{1,64}$/;

/** Names travel into SQL values and Qdrant URLs; one rule for every adapter keeps them portable. */
export function checkCollectionName(name: string): void {
  if (!COLLECTION_NAME.test(name)) {
    throw new InvalidInputError('VECTOR_COLLECTION_INVALID', `collection name ${JSON.stringify(name)} must match ${String(COLLECTION_NAME)}`);
  }
}

export function checkDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 65_536) {
    throw new InvalidInputError('VECTOR_DIMENSION_INVALID', `dimensions must be an integer in 1..65536, got ${dimensions}`);
  }
}

export function collectionNotFound(name: string): InvalidInputError {
  return new InvalidInputError('VECTOR_COLLECTION_NOT_FOUND', `vector collection ${JSON.stringify(name)} does not exist; call ensureCollection first`, {
    details: { collection: name },
  });
}

export function dimensionMismatch(name: string, expected: number, actual: number): InvalidInputError {
  return new InvalidInputError('VECTOR_DIMENSION_MISMATCH', `vector collection ${JSON.stringify(name)} has ${expected} dimensions, got ${actual}`, {
    details: { collection: name, expected, actual },
  });
}

/** Finite, non-zero and of the collection's length: a zero vector has no direction to compare. */
export function checkVector(name: string, vector: readonly number[], dimensions: number): void {
  if (vector.length !== dimensions) throw dimensionMismatch(name, dimensions, vector.length);
  let norm = 0;
  for (const value of vector) {
    if (!Number.isFinite(value)) throw new InvalidInputError('VECTOR_INVALID', `vector for collection ${JSON.stringify(name)} has a non-finite value`);
    norm += value * value;
  }
  if (norm === 0) throw new InvalidInputError('VECTOR_INVALID', `vector for collection ${JSON.stringify(name)} is all zeros`);
}

export function checkSearchOptions(options: VectorSearchOptions): void {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new InvalidInputError('VECTOR_SEARCH_INVALID', `limit must be an integer ≥ 1, got ${options.limit}`);
  }
  if (options.minScore !== undefined && !Number.isFinite(options.minScore)) {
    throw new InvalidInputError('VECTOR_SEARCH_INVALID', 'minScore must be a finite number');
  }
  checkFilter(options.filter);
}

export function checkFilter(filter: PayloadFilter | undefined): void {
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (!FILTER_KEY.test(key) || typeof value !== 'string') {
      throw new InvalidInputError('VECTOR_FILTER_INVALID', `filter key ${JSON.stringify(key)} must be a top-level payload key matching ${String(FILTER_KEY)} with a string value`);
    }
  }
}

/**
 * Validates a batch and keeps the last document per id, in first-seen order, so every adapter
 * gives the same answer to duplicates (PostgreSQL refuses to upsert one row twice in a statement).
 */
export function prepareDocuments(name: string, docs: readonly VectorDocument[], dimensions: number): VectorDocument[] {
  const byId = new Map<string, VectorDocument>();
  for (const doc of docs) {
    if (typeof doc.id !== 'string' || doc.id.length === 0) throw new InvalidInputError('VECTOR_ID_INVALID', 'document ids must be non-empty strings');
    if (typeof doc.payload !== 'object' || doc.payload === null || Array.isArray(doc.payload)) {
      throw new InvalidInputError('VECTOR_PAYLOAD_INVALID', `payload of ${JSON.stringify(doc.id)} must be a JSON object`);
    }
    if (Object.hasOwn(doc.payload, RESERVED_PAYLOAD_KEY)) {
      throw new InvalidInputError('VECTOR_PAYLOAD_INVALID', `payload key ${RESERVED_PAYLOAD_KEY} is reserved`);
    }
    checkVector(name, doc.vector, dimensions);
    byId.set(doc.id, doc);
  }
  return [...byId.values()];
}

/** Payloads are stored as JSON by every adapter; the twin does the same so that it cannot be kinder. */
export function jsonPayload(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
}

export function matchesFilter(payload: Readonly<Record<string, unknown>>, filter: PayloadFilter | undefined): boolean {
  if (filter === undefined) return true;
  for (const [key, value] of Object.entries(filter)) {
    if (payload[key] !== value) return false;
  }
  return true;
}
