import type { NodeImplementation } from '@supportstream/graph';
import type { AgentModels } from '../models.js';

/** Reviews the draft against its sources and facts; the graph then routes by the verdict and the policy. */
export function qualityNode(models: AgentModels): NodeImplementation {
  return async (state, context) => {
    const request = state.request;
    const triage = state.triageDecision;
    const draft = state.draft;
    if (!request || !triage || !draft) throw new Error('quality: nothing to review');
    const review = await models.run(context, request.tenantId, 'review', {
      message: request.message,
      reply: draft.reply,
      citations: draft.citations,
      sources: state.sources,
      triage,
      facts: state.facts,
    });
    return {
      update: { review },
      summary: `${review.verdict} (score ${review.score.toFixed(2)})${review.issues.length > 0 ? `: ${review.issues.join('; ')}` : ''}`,
      output: { verdict: review.verdict, score: review.score, issues: review.issues },
    };
  };
}
