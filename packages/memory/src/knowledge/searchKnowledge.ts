import type { Audience } from '@supportstream/domain';
import type { Embedder } from '../embeddings/embedder.js';
import type { VectorHit, VectorStore } from '../vectors/vectorStore.js';
import { KNOWLEDGE_COLLECTION, KNOWLEDGE_KIND, SHARED_TENANT } from './payloads.js';

/** A passage the research agent can quote and cite. */
export interface KnowledgeSource {
  /** Stable chunk id, e.g. `*:refund-policy.md#refund-policy/duplicate-charges:0`. */
  readonly id: string;
  /** Heading trail, e.g. `Refund policy › Duplicate charges`. */
  readonly title: string;
  readonly text: string;
  /** File path relative to the knowledge folder, e.g. `refund-policy.md`. */
  readonly path: string;
  /** Cosine similarity to the query. */
  readonly score: number;
  /** `agent`: a note for agents (context for decisions, never text for the customer). */
  readonly audience: Audience;
}

export interface SearchKnowledgeOptions {
  /** Default 5. */
  readonly limit?: number;
  /** The tenant's own knowledge and the shared knowledge are searched; without it, shared only. */
  readonly tenantId?: string;
  readonly minScore?: number;
  readonly collection?: string;
  /**
   * Only customer text, or only notes for agents; without it, both. The filter reads the payload's
   * `audience`, which chunks ingested before it existed lack until the next ingest rewrites them.
   */
  readonly audience?: Audience;
}

/**
 * The passages most similar to a question, best first. Only chunks written by the same embedder
 * are compared (its id is in every payload). Throws `VECTOR_COLLECTION_NOT_FOUND` if nothing was
 * ever ingested into the collection.
 */
export async function searchKnowledge(store: VectorStore, embedder: Embedder, query: string, options: SearchKnowledgeOptions = {}): Promise<KnowledgeSource[]> {
  const limit = options.limit ?? 5;
  const collection = options.collection ?? KNOWLEDGE_COLLECTION;
  const [vector] = await embedder.embed([query]);
  if (vector === undefined) return [];
  const scopes = options.tenantId === undefined || options.tenantId === SHARED_TENANT ? [SHARED_TENANT] : [options.tenantId, SHARED_TENANT];
  const hits = (
    await Promise.all(
      scopes.map((tenantId) =>
        store.search(collection, vector, {
          limit,
          filter: { kind: KNOWLEDGE_KIND, tenantId, embedder: embedder.id, ...(options.audience === undefined ? {} : { audience: options.audience }) },
          ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
        }),
      ),
    )
  ).flat();
  hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return hits.slice(0, limit).map(toSource);
}

function toSource(hit: VectorHit): KnowledgeSource {
  const text = (key: string) => {
    const value = hit.payload[key];
    return typeof value === 'string' ? value : '';
  };
  return { id: hit.id, title: text('title'), text: text('text'), path: text('path'), score: hit.score, audience: hit.payload['audience'] === 'agent' ? 'agent' : 'customer' };
}

/**
 * Numbered context for a prompt: `[1] Refund policy › Duplicate charges (refund-policy.md)` and
 * the passage, a note for agents marked `(refund-policy.md, for agents only)`. The model cites
 * `[n]`; `sources[n - 1]` says what it cited.
 */
export function formatSources(sources: readonly KnowledgeSource[]): string {
  return sources
    .map((source, i) => `[${i + 1}] ${source.title} (${source.path}${source.audience === 'agent' ? ', for agents only' : ''})\n${source.text}`)
    .join('\n\n');
}
