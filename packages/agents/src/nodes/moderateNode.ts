import { PROMPT_INJECTION, type Moderation } from '@supportstream/domain';
import type { NodeImplementation } from '@supportstream/graph';
import { detectInjection, type InjectionFinding } from '../guardrails/injection.js';
import type { AgentModels } from '../models.js';

/**
 * The model's verdict with the injection rules' finding added. An injection is escalated, not
 * blocked: the run goes on with the verdict `allow` and the category `prompt_injection`, and the
 * escalation policy (assessRisk) sends it to a supervisor with the rules that matched as its
 * reason, whatever the later steps make of it. A supervisor then sees why, and a legitimate ticket
 * that a rule misread (a customer asking about a friend's order) is answered after a look instead
 * of being refused. Nothing reaches the customer before that approval. A block by the model (abuse,
 * threats) stands: it is the stricter outcome, and its reason names the injection as well.
 */
export function withInjectionFinding(moderation: Moderation, finding: InjectionFinding): Moderation {
  if (!finding.detected) return moderation;
  const categories = moderation.categories.includes(PROMPT_INJECTION) ? moderation.categories : [...moderation.categories, PROMPT_INJECTION];
  const matched = `matched ${finding.rules.join(', ')}`;
  if (moderation.verdict === 'block') return { verdict: 'block', categories, reason: `${moderation.reason}; prompt injection: ${matched}` };
  return { verdict: 'allow', categories, reason: matched };
}

/** Screens the customer's message: the model for abuse, fixed rules for prompt injection; a block routes the run to the fallback reply. */
export function moderateNode(models: AgentModels): NodeImplementation {
  return async (state, context) => {
    const request = state.request;
    if (!request) throw new Error('moderate: the run has no request');
    const text = [request.subject, request.message].filter(Boolean).join('\n');
    const verdict = await models.run(context, request.tenantId, 'moderate', { text });
    const finding = detectInjection(text);
    const moderation = withInjectionFinding(verdict, finding);
    const injection = finding.detected ? `prompt injection (${finding.rules.join(', ')})` : null;
    return {
      update: { moderation },
      summary: moderation.verdict === 'block' ? `blocked: ${moderation.reason}` : injection ? `allowed, for a supervisor: ${injection}` : 'allowed',
      output: { verdict: moderation.verdict, categories: moderation.categories, ...(finding.detected ? { injectionRules: finding.rules } : {}) },
    };
  };
}
