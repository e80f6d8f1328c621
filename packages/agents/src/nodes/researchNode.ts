import type { Source } from '@supportstream/domain';
import type { NodeImplementation } from '@supportstream/graph';
import { searchKnowledge, similarResolutions, type Embedder, type VectorStore } from '@supportstream/memory';

export interface ResearchOptions {
  readonly store: VectorStore;
  readonly embedder: Embedder;
  /** Passages kept for the answer. */
  readonly limit?: number;
  /** Excerpt length kept in the graph state (the state stays lean; the article stays in the store). */
  readonly excerptChars?: number;
}

/** Retrieves knowledge-base passages and similar resolved conversations; the answer cites them. */
export function researchNode(options: ResearchOptions): NodeImplementation {
  const limit = options.limit ?? 4;
  const excerpt = options.excerptChars ?? 700;
  return async (state) => {
    const request = state.request;
    if (!request) throw new Error('research: the run has no request');
    const query = [request.subject, request.message, state.triageDecision?.intent.replace(/_/g, ' ')].filter(Boolean).join('\n');
    const [knowledge, resolutions] = await Promise.all([
      searchKnowledge(options.store, options.embedder, query, { limit, tenantId: request.tenantId }),
      similarResolutions(options.store, options.embedder, query, { tenantId: request.tenantId, limit: 2 }).catch(() => []),
    ]);
    const sources: Source[] = knowledge.map((hit) => ({ id: hit.id, title: hit.title, text: hit.text.slice(0, excerpt), score: Number(hit.score.toFixed(4)) }));
    return {
      update: { sources, facts: [] },
      summary: sources.length > 0 ? `found ${sources.length} passage(s), best: ${sources[0]?.title ?? ''}` : 'found nothing relevant',
      // Similar resolved conversations are recorded for the audit trail (and a model provider may use them later).
      output: { sourceIds: sources.map((source) => source.id), scores: sources.map((source) => source.score), precedents: resolutions.map((match) => match.conversationId) },
    };
  };
}
