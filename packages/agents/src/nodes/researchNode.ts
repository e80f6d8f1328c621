import type { Source } from '@supportstream/domain';
import type { NodeImplementation } from '@supportstream/graph';
import { searchKnowledge, similarResolutions, type Embedder, type VectorStore } from '@supportstream/memory';

export interface ResearchOptions {
  readonly store: VectorStore;
  readonly embedder: Embedder;
  /** Passages kept for the answer. */
  readonly limit?: number;
  /** Notes for agents kept besides them (default 2): context for the decisions, never for the reply's text. */
  readonly agentNotes?: number;
  /** Excerpt length kept in the graph state (the state stays lean; the article stays in the store). */
  readonly excerptChars?: number;
}

/**
 * Retrieves knowledge-base passages and similar resolved conversations; the answer cites them.
 * The customer passages and the notes for agents are searched apart, so notes never take the
 * place of a passage the reply could quote; both are in the state's sources, each with its
 * audience, and only the customer passages may be quoted or cited.
 */
export function researchNode(options: ResearchOptions): NodeImplementation {
  const limit = options.limit ?? 4;
  const noteLimit = options.agentNotes ?? 2;
  const excerpt = options.excerptChars ?? 700;
  return async (state) => {
    const request = state.request;
    if (!request) throw new Error('research: the run has no request');
    const query = [request.subject, request.message, state.triageDecision?.intent.replace(/_/g, ' ')].filter(Boolean).join('\n');
    const tenantId = request.tenantId;
    const [knowledge, notes, resolutions] = await Promise.all([
      searchKnowledge(options.store, options.embedder, query, { limit, tenantId, audience: 'customer' }),
      noteLimit > 0 ? searchKnowledge(options.store, options.embedder, query, { limit: noteLimit, tenantId, audience: 'agent' }) : [],
      similarResolutions(options.store, options.embedder, query, { tenantId, limit: 2 }).catch(() => []),
    ]);
    const sources: Source[] = [...knowledge, ...notes].map((hit) => ({
      id: hit.id,
      title: hit.title,
      text: hit.text.slice(0, excerpt),
      score: Number(hit.score.toFixed(4)),
      audience: hit.audience,
    }));
    const passages = sources.filter((source) => source.audience !== 'agent');
    const found = passages.length > 0 ? `found ${passages.length} passage(s), best: ${passages[0]?.title ?? ''}` : 'found nothing relevant';
    return {
      update: { sources, facts: [] },
      summary: notes.length > 0 ? `${found}; ${notes.length} note(s) for agents` : found,
      // Similar resolved conversations are recorded for the audit trail (and a model provider may use them later).
      output: {
        sourceIds: sources.map((source) => source.id),
        scores: sources.map((source) => source.score),
        agentNoteIds: sources.filter((source) => source.audience === 'agent').map((source) => source.id),
        precedents: resolutions.map((match) => match.conversationId),
      },
    };
  };
}
