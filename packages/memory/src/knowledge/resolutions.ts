import { InvalidInputError, isPlatformError } from '@supportstream/errors';
import type { Embedder } from '../embeddings/embedder.js';
import { truncate } from '../session/sessionMemory.js';
import type { VectorHit, VectorStore } from '../vectors/vectorStore.js';
import { RESOLUTION_KIND, RESOLUTIONS_COLLECTION } from './payloads.js';

/** A resolved conversation, kept as long-term memory so later, similar questions can reuse it. */
export interface Resolution {
  readonly tenantId: string;
  readonly conversationId: string;
  /** Kept so that an erasure request can find the customer's resolutions. */
  readonly customerId?: string;
  readonly question: string;
  readonly reply: string;
  readonly category: string;
  /** E.g. `resolved`, `escalated`, `refunded`. */
  readonly outcome: string;
  /** ISO-8601. */
  readonly resolvedAt: string;
}

export interface ResolutionMatch extends Resolution {
  readonly id: string;
  readonly score: number;
}

export interface ResolutionStoreOptions {
  readonly collection?: string;
}

export interface SimilarResolutionsOptions extends ResolutionStoreOptions {
  readonly tenantId: string;
  /** Default 3. */
  readonly limit?: number;
  readonly minScore?: number;
  readonly outcome?: string;
  readonly category?: string;
}

const MAX_TEXT = 4000;
const ensured = new WeakMap<VectorStore, Set<string>>();

/** Collections are ensured once per store object, not on every remembered conversation. */
async function ensure(store: VectorStore, collection: string, dimensions: number): Promise<void> {
  const names = ensured.get(store) ?? new Set<string>();
  ensured.set(store, names);
  const key = `${collection}\u0000${dimensions}`;
  if (names.has(key)) return;
  await store.ensureCollection(collection, dimensions);
  names.add(key);
}

export function resolutionId(tenantId: string, conversationId: string): string {
  return `${encodeURIComponent(tenantId)}:${conversationId}`;
}

/**
 * Stores a resolved conversation; one document per conversation, so remembering it again (a
 * replayed event, a reopened and re-resolved case) replaces it. The question is what gets
 * embedded: a new question is compared with past questions.
 */
export async function rememberResolution(store: VectorStore, embedder: Embedder, resolution: Resolution, options: ResolutionStoreOptions = {}): Promise<string> {
  const collection = options.collection ?? RESOLUTIONS_COLLECTION;
  for (const key of ['tenantId', 'conversationId', 'question', 'reply', 'category', 'outcome', 'resolvedAt'] as const) {
    if (typeof resolution[key] !== 'string' || resolution[key].trim() === '') throw new InvalidInputError('RESOLUTION_INVALID', `resolution ${key} must be a non-empty string`);
  }
  await ensure(store, collection, embedder.dimensions);
  const question = truncate(resolution.question, MAX_TEXT);
  const [vector] = await embedder.embed([question]);
  const id = resolutionId(resolution.tenantId, resolution.conversationId);
  await store.upsert(collection, [
    {
      id,
      vector: vector!,
      payload: {
        kind: RESOLUTION_KIND,
        embedder: embedder.id,
        tenantId: resolution.tenantId,
        conversationId: resolution.conversationId,
        ...(resolution.customerId === undefined ? {} : { customerId: resolution.customerId }),
        question,
        reply: truncate(resolution.reply, MAX_TEXT),
        category: resolution.category,
        outcome: resolution.outcome,
        resolvedAt: resolution.resolvedAt,
      },
    },
  ]);
  return id;
}

/** Past resolutions of the same tenant whose question resembles this one, best first. */
export async function similarResolutions(store: VectorStore, embedder: Embedder, query: string, options: SimilarResolutionsOptions): Promise<ResolutionMatch[]> {
  const collection = options.collection ?? RESOLUTIONS_COLLECTION;
  const [vector] = await embedder.embed([query]);
  if (vector === undefined) return [];
  const hits = await store.search(collection, vector, {
    limit: options.limit ?? 3,
    filter: {
      kind: RESOLUTION_KIND,
      tenantId: options.tenantId,
      embedder: embedder.id,
      ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
      ...(options.category === undefined ? {} : { category: options.category }),
    },
    ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
  });
  return hits.map(toMatch);
}

export interface ForgetResolutionsOptions extends ResolutionStoreOptions {
  readonly tenantId: string;
  readonly customerId: string;
  /**
   * The customer's conversations: their resolutions go too, since documents remembered before
   * `customerId` was kept in the payload cannot be found by customer.
   */
  readonly conversationIds?: readonly string[];
}

/**
 * Erasure request: deletes the customer's resolutions (by payload `tenantId` + `customerId`, and
 * those of the given conversations) and returns how many were deleted. Idempotent: a second call
 * finds nothing and deletes nothing. A collection that was never created holds nothing: 0.
 */
export async function forgetResolutions(store: VectorStore, options: ForgetResolutionsOptions): Promise<number> {
  const { tenantId, customerId } = options;
  const conversationIds = [...new Set(options.conversationIds ?? [])];
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
  if (blank(tenantId) || blank(customerId) || conversationIds.some(blank)) {
    const message = 'tenantId, customerId and every conversation id must be non-empty strings';
    throw new InvalidInputError('RESOLUTION_FORGET_INVALID', message);
  }
  const collection = options.collection ?? RESOLUTIONS_COLLECTION;
  try {
    const byCustomer = await store.list(collection, { filter: { kind: RESOLUTION_KIND, tenantId, customerId } });
    const ids = new Set(byCustomer.map((doc) => doc.id));
    // Ids are resolutionId(tenant, conversation); a lookup each finds which of them are stored.
    for (const conversationId of conversationIds) {
      if (ids.has(resolutionId(tenantId, conversationId))) continue;
      const docs = await store.list(collection, { filter: { kind: RESOLUTION_KIND, tenantId, conversationId } });
      for (const doc of docs) ids.add(doc.id);
    }
    if (ids.size > 0) await store.delete(collection, [...ids]);
    return ids.size;
  } catch (error) {
    if (isPlatformError(error) && error.code === 'VECTOR_COLLECTION_NOT_FOUND') return 0;
    throw error;
  }
}

function toMatch(hit: VectorHit): ResolutionMatch {
  const text = (key: string) => {
    const value = hit.payload[key];
    return typeof value === 'string' ? value : '';
  };
  const customerId = hit.payload['customerId'];
  return {
    id: hit.id,
    score: hit.score,
    tenantId: text('tenantId'),
    conversationId: text('conversationId'),
    ...(typeof customerId === 'string' ? { customerId } : {}),
    question: text('question'),
    reply: text('reply'),
    category: text('category'),
    outcome: text('outcome'),
    resolvedAt: text('resolvedAt'),
  };
}
