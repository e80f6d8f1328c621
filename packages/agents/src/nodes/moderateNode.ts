import type { NodeImplementation } from '@supportstream/graph';
import type { AgentModels } from '../models.js';

/** Screens the customer's message; a block routes the run to the fallback reply. */
export function moderateNode(models: AgentModels): NodeImplementation {
  return async (state, context) => {
    const request = state.request;
    if (!request) throw new Error('moderate: the run has no request');
    const moderation = await models.run(context, request.tenantId, 'moderate', { text: [request.subject, request.message].filter(Boolean).join('\n') });
    return {
      update: { moderation },
      summary: moderation.verdict === 'block' ? `blocked: ${moderation.reason}` : 'allowed',
      output: { verdict: moderation.verdict, categories: moderation.categories },
    };
  };
}
