import type { ProposedAction } from '@supportstream/domain';
import type { NodeImplementation } from '@supportstream/graph';
import type { SessionMemory } from '@supportstream/memory';
import { guardAgentTools, isToolRefusal, type AgentTools, type MoneyView, type ToolResult } from '@supportstream/tools';
import type { AgentModels } from '../models.js';

const toMoney = (view: MoneyView) => {
  const micros = BigInt(view.amountMicros);
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${view.formatted} is too large for an event`);
  return { amountMicros: Number(micros), currency: view.currency };
};

const formatRequested = (amount: { amountMicros: number; currency: string } | null): string | undefined =>
  amount ? (amount.amountMicros / 1_000_000).toFixed(6).replace(/0+$/, '').replace(/\.$/, '') : undefined;

const WEEK_MS = 7 * 24 * 3600 * 1000;
const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

/**
 * A tool call whose arguments the tools' schema refuses (an order number the model read as
 * "1001; DROP …" or a sentence, an id that is not one) becomes a fact the reply can act on ("no
 * order was looked up"), not a failed step; the allowlist has counted the refusal. A call outside
 * the allowlist is a programming error and fails the step.
 */
async function unlessRefused<T>(call: () => Promise<ToolResult<T>>, fact: string, refused: string[]): Promise<ToolResult<T>> {
  try {
    return await call();
  } catch (error) {
    if (!isToolRefusal(error, 'TOOL_ARGUMENTS_INVALID')) throw error;
    refused.push(error.refusal.tool);
    return { status: 'invalid_input', code: error.code, message: error.message, fact };
  }
}

/**
 * Drafts the reply. Facts come from tools, never from the model's guess: order status and the
 * refundable amount are looked up and computed exactly, and a refund is proposed as an action
 * with that amount (the policy then decides whether a supervisor must approve it).
 * The tools are used behind the solution agent's allowlist and argument schemas.
 */
export function solutionNode(models: AgentModels, tools: AgentTools, sessions: SessionMemory, tone: (tenantId: string) => Promise<string>): NodeImplementation {
  // The solution agent's tools, behind its allowlist and the argument schemas.
  const allowed = guardAgentTools(tools, { agent: 'solution' });
  return async (state, context) => {
    const request = state.request;
    const triage = state.triageDecision;
    if (!request || !triage) throw new Error('solution: the run has no request or triage decision');
    // Only tool results and the customer's own record are facts: earlier cases of other customers are
    // context for research, not statements about this customer.
    const facts: string[] = [];
    const actions: ProposedAction[] = [];
    // Tools whose arguments were refused in this step, for the step's audit record.
    const refused: string[] = [];
    // Session memory: a customer who keeps writing gets that acknowledged.
    const since = Date.parse(request.receivedAt) - WEEK_MS;
    const recentContacts = (await sessions.recent(request.tenantId, request.customerId, 20)).filter(
      (interaction) => interaction.role === 'customer' && Date.parse(interaction.at) >= since && interaction.at !== request.receivedAt,
    ).length;
    if (recentContacts >= 2) facts.push(`This is your ${ordinal(recentContacts + 1)} message to us in the past 7 days.`);
    if (triage.orderId) {
      const orderId = triage.orderId;
      const order = await unlessRefused(
        () => allowed.lookupOrder({ tenantId: request.tenantId, orderId, customerId: request.customerId }),
        'The order number in the message is not a valid order number, so no order was looked up.',
        refused,
      );
      facts.push(order.fact);
      const wantsRefund = triage.category === 'refund' || triage.signals.includes('refund_request') || triage.signals.includes('duplicate_charge');
      if (wantsRefund && order.status === 'ok') {
        const requested = formatRequested(triage.refundAmount);
        const refund = await unlessRefused(
          () => allowed.computeRefund({ tenantId: request.tenantId, orderId, customerId: request.customerId, ...(requested ? { amount: requested } : {}) }),
          'The refund could not be computed from the details given.',
          refused,
        );
        facts.push(refund.fact);
        if (refund.status === 'ok' && BigInt(refund.refund.amount.amountMicros) > 0n) {
          actions.push({
            kind: 'refund',
            description: `Refund ${refund.refund.amount.formatted} for order ${triage.orderId} (${refund.refund.reason})`,
            amount: toMoney(refund.refund.amount),
            parameters: { orderId: triage.orderId, reason: refund.refund.reason },
          });
        }
      }
    } else if (triage.category === 'billing') {
      const overview = await unlessRefused(
        () => allowed.customerOverview({ tenantId: request.tenantId, customerId: request.customerId, recentOrders: 3 }),
        'The customer record could not be looked up.',
        refused,
      );
      facts.push(overview.fact);
    }
    if (/subscription/.test(triage.intent) || mentionsSubscription(request.message)) {
      const proration = await unlessRefused(
        () => allowed.computeProration({ tenantId: request.tenantId, customerId: request.customerId }),
        'The subscription could not be looked up.',
        refused,
      );
      facts.push(proration.fact);
      if (proration.status === 'ok' && BigInt(proration.proration.refund.amountMicros) > 0n) {
        actions.push({
          kind: 'refund',
          description: `Prorated refund of ${proration.proration.refund.formatted} for ${proration.proration.unusedDays} unused day(s) of the subscription`,
          amount: toMoney(proration.proration.refund),
          parameters: { reason: 'proration', unusedDays: String(proration.proration.unusedDays) },
        });
      }
    }
    if (triage.signals.includes('account_closure')) {
      actions.push({ kind: 'account_closure', description: `Close the account of ${request.customerId} after verification`, amount: null, parameters: { customerId: request.customerId } });
    }
    const draft = await models.run(context, request.tenantId, 'draft', {
      message: request.message,
      triage,
      sources: state.sources,
      facts,
      tone: await tone(request.tenantId),
      previousIssues: state.review?.verdict === 'revise' ? state.review.issues : [],
    });
    return {
      update: { draft, facts, proposedActions: actions },
      summary: `drafted a reply (confidence ${draft.confidence.toFixed(2)}${actions.length > 0 ? `; proposes ${actions.map((action) => action.kind).join(', ')}` : ''})`,
      output: {
        citations: draft.citations,
        confidence: draft.confidence,
        actions: actions.map((action) => ({ kind: action.kind, amount: action.amount })),
        ...(refused.length > 0 ? { refusedToolCalls: refused } : {}),
      },
    };
  };
}

/**
 * A subscription, in the languages triage knows: subscription, Abo/Abonnement, Kündigung/kündigen,
 * abonnement/résilier, suscripción. Whole words only: "about", "abolish", a cancelled order or
 * "cancel my order" are not subscriptions, and the proration tool has nothing to say about them.
 */
const SUBSCRIPTION = /(?<![\p{L}\p{N}])(?:subscriptions?|abos?|abonnements?|k(?:ü|ue)ndig\p{L}*|r(?:é|e)sili\p{L}*|suscripci(?:ó|o)n(?:es)?)(?![\p{L}\p{N}])/iu;

export const mentionsSubscription = (text: string): boolean => SUBSCRIPTION.test(text);
