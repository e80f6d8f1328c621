import type { NodeImplementation } from '@supportstream/graph';
import type { SessionMemory } from '@supportstream/memory';
import type { AgentModels } from '../models.js';

/** How many earlier interactions of the customer triage and solution see. */
export const HISTORY_LIMIT = 5;

/** Classifies the request, reading the customer's recent interactions from session memory. */
export function triageNode(models: AgentModels, sessions: SessionMemory): NodeImplementation {
  return async (state, context) => {
    const request = state.request;
    if (!request) throw new Error('triage: the run has no request');
    const recent = await sessions.recent(request.tenantId, request.customerId, HISTORY_LIMIT);
    const history = recent
      .filter((interaction) => interaction.conversationId !== request.conversationId || interaction.text !== request.message)
      .map((interaction) => `${interaction.at.slice(0, 10)} ${interaction.role}: ${interaction.summary ?? interaction.text}`);
    const triageDecision = await models.run(context, request.tenantId, 'triage', {
      message: request.message,
      subject: request.subject,
      customerTier: request.customerTier,
      history,
    });
    return {
      update: { triageDecision, history },
      summary: `${triageDecision.category}, ${triageDecision.priority} priority, ${triageDecision.sentiment} (confidence ${triageDecision.confidence.toFixed(2)})`,
      output: {
        category: triageDecision.category,
        priority: triageDecision.priority,
        intent: triageDecision.intent,
        language: triageDecision.language,
        signals: triageDecision.signals,
        confidence: triageDecision.confidence,
      },
    };
  };
}
