import { agentNotesUsed, type DraftReply } from '@supportstream/domain';
import type { NodeImplementation, NodeResult, SupportStateType } from '@supportstream/graph';
import { DEFAULT_CANARY } from '@supportstream/llm';
import { guardAgentTools, isToolRefusal, type AgentTools, type GuardedAgentTools } from '@supportstream/tools';
import { checkReply, redactReply, type ReplyCheck, type ReplyCheckContext } from '../guardrails/output.js';
import { checkPromises, promiseIssues } from '../guardrails/promises.js';
import type { AgentModels } from '../models.js';

/** What the quality agent checks a draft against besides the model's review. */
export interface QualityGuardrails {
  /** The deployment's prompt canary, the one its prompts carry (PromptSettings.canary); default DEFAULT_CANARY. */
  readonly canary?: string;
  /** The deployment's secret values (configuredSecrets(env)). */
  readonly secrets?: readonly string[];
  /** The tenant's own addresses and numbers, which a reply may give. */
  readonly allowedContacts?: readonly string[];
  /** Country of phone numbers written without a prefix. */
  readonly phoneCountry?: string;
  /** To read the requesting customer's CRM record (their own e-mail may then appear in a reply); allowlisted for `quality`. */
  readonly tools?: AgentTools;
}

/** The score a review loses for a promise of an unapproved action (like the offline review's unsupported refund). */
const PROMISE_PENALTY = 0.5;
/** The score a review loses for a reply that quotes or cites a note for agents. */
const AGENT_NOTE_PENALTY = 0.5;

/**
 * Reviews the draft against its sources and facts; the graph then routes by the verdict and the policy.
 *
 * Two guardrails hold whatever the model says. The output check runs first: a draft that holds
 * the canary, a secret or another customer's data is never reviewed or sent; the step returns no
 * review, which the graph escalates, with the reasons `prompt_injection` and the failed checks,
 * and the draft a supervisor sees is redacted, so the leak reaches neither the customer nor the
 * approval events. Then the promise check: a draft that promises a refund, credit or closure
 * that is not a proposed action (or with another amount) fails the review like any other issue,
 * so it goes back to the solution agent and, out of attempts, to a supervisor. So does a draft
 * that quotes or cites a note for agents (a source with the audience `agent`): those notes are
 * context for decisions, never text for the customer.
 */
export function qualityNode(models: AgentModels, guardrails: QualityGuardrails = {}): NodeImplementation {
  const tools = guardrails.tools === undefined ? undefined : guardAgentTools(guardrails.tools, { agent: 'quality' });
  return async (state, context) => {
    const request = state.request;
    const triage = state.triageDecision;
    const draft = state.draft;
    if (!request || !triage || !draft) throw new Error('quality: nothing to review');
    const check = await outputCheck(draft.reply, state, guardrails, tools);
    if (!check.ok) return withheld(draft, check);

    const modelReview = await models.run(context, request.tenantId, 'review', {
      message: request.message,
      reply: draft.reply,
      citations: draft.citations,
      sources: state.sources,
      triage,
      facts: state.facts,
    });
    const promises = checkPromises(draft.reply, { actions: state.proposedActions, approval: state.approval });
    const notes = agentNotesUsed(draft.reply, draft.citations, state.sources);
    const penalty = (promises.ok ? 0 : PROMISE_PENALTY) + (notes.length === 0 ? 0 : AGENT_NOTE_PENALTY);
    const issues = [
      ...(promises.ok ? [] : promiseIssues(promises.violations)),
      ...(notes.length === 0 ? [] : [`agent_note: the reply quotes or cites a note for agents (${notes.join(', ')}); keep it to customer text`]),
    ];
    const review =
      issues.length === 0
        ? modelReview
        : { score: Math.max(0, Number((modelReview.score - penalty).toFixed(2))), issues: [...modelReview.issues, ...issues], verdict: 'revise' as const };
    return {
      update: { review },
      summary: `${review.verdict} (score ${review.score.toFixed(2)})${review.issues.length > 0 ? `: ${review.issues.join('; ')}` : ''}`,
      output: { verdict: review.verdict, score: review.score, issues: review.issues },
    };
  };
}

/** The requesting customer's identifiers and what they may see, for the output check. */
function replyCheckContext(state: SupportStateType, guardrails: QualityGuardrails): ReplyCheckContext {
  const request = state.request;
  if (!request) throw new Error('quality: the run has no request');
  return {
    canary: guardrails.canary ?? DEFAULT_CANARY,
    secrets: guardrails.secrets,
    customer: { customerId: request.customerId },
    // What the customer wrote, and what was looked up for them (the tools filter by customer).
    ownText: [request.message, request.subject ?? '', ...state.history, ...state.facts],
    publicText: [...state.sources.flatMap((source) => [source.title, source.text]), ...(guardrails.allowedContacts ?? [])],
    phoneCountry: guardrails.phoneCountry,
  };
}

/**
 * Checks the reply; the customer's CRM record is read only when the reply holds an e-mail address
 * nothing else explains (it may be their own), so the usual reply costs no CRM query.
 */
async function outputCheck(reply: string, state: SupportStateType, guardrails: QualityGuardrails, tools: GuardedAgentTools | undefined): Promise<ReplyCheck> {
  const context = replyCheckContext(state, guardrails);
  const check = checkReply(reply, context);
  const request = state.request;
  if (check.ok || !tools || !request || !check.findings.some((finding) => finding.rule === 'email')) return check;
  const email = await customerEmail(tools, request.tenantId, request.customerId);
  return email === undefined ? check : checkReply(reply, { ...context, customer: { ...context.customer, email } });
}

async function customerEmail(tools: GuardedAgentTools, tenantId: string, customerId: string): Promise<string | undefined> {
  try {
    const overview = await tools.customerOverview({ tenantId, customerId, recentOrders: 1 });
    return overview.status === 'ok' ? overview.customer.email : undefined;
  } catch (error) {
    // An id the schema refuses has no record to read; anything else (the store) is retried.
    if (isToolRefusal(error, 'TOOL_ARGUMENTS_INVALID')) return undefined;
    throw error;
  }
}

const CHECK_LABELS: Readonly<Record<ReplyCheck['failed'][number], string>> = {
  canary: 'the reply repeats the system prompt canary',
  secret: 'the reply contains a secret',
  other_customer_data: "the reply contains another customer's data",
};

/**
 * The step's result for a draft that failed the output check: no review (the graph escalates a
 * run that has none), the risk with the reasons, and the draft redacted.
 */
function withheld(draft: DraftReply, check: ReplyCheck): NodeResult {
  const reasons = ['prompt_injection', ...check.failed.map((name) => `output check failed: ${CHECK_LABELS[name]}`)];
  return {
    update: {
      review: null,
      draft: { ...draft, reply: redactReply(draft.reply, check.findings), confidence: 0 },
      risk: { escalate: true, reasons, risk: 'CRITICAL', riskScore: 1 },
    },
    summary: `withheld by the output check (${check.failed.join(', ')}): escalated as prompt_injection`,
    output: { verdict: 'withheld', guardrail: 'output_check', checks: [...check.failed], rules: [...new Set(check.findings.map((finding) => finding.rule))] },
  };
}
