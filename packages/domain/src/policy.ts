import type { CustomerTier, DraftReply, Moderation, Money, ProposedAction, QualityReview, RiskLevel, TriageDecision } from './contracts.js';
import { formatMoney, requestedAmounts } from './requestedAmounts.js';

/** Thresholds of the escalation policy; stored per deployment, defaults below. */
export interface EscalationPolicy {
  /** Refunds above this need a supervisor (per currency, in micros). */
  readonly refundApprovalThreshold: Readonly<Record<string, number>>;
  /** Below this draft confidence a human looks at the answer. */
  readonly minConfidence: number;
  /** Below this triage confidence the request is too unclear to answer automatically. */
  readonly minTriageConfidence: number;
  /** How many times quality may send a draft back to the solution agent. */
  readonly maxSolutionAttempts: number;
  /** VIP customers with a complaint or a refund always get a human's approval. */
  readonly escalateVip: boolean;
}

export const DEFAULT_POLICY: EscalationPolicy = {
  refundApprovalThreshold: { EUR: 25_000_000, USD: 25_000_000, GBP: 20_000_000 },
  minConfidence: 0.45,
  minTriageConfidence: 0.25,
  maxSolutionAttempts: 2,
  escalateVip: true,
};

export interface RiskInput {
  readonly tier: CustomerTier;
  readonly triage: TriageDecision;
  readonly draft: DraftReply;
  readonly review: QualityReview;
  readonly actions: readonly ProposedAction[];
  /**
   * The customer's own words (subject and message). Money asked for in them goes through the
   * threshold as well as the refunds the tools compute: a demand with no matching record must
   * still reach a human.
   */
  readonly requestText: string;
  /** The moderation step's verdict; a prompt injection it found escalates, whatever the other steps made of it. */
  readonly moderation: Moderation | null;
}

/**
 * The moderation category of a prompt injection (instruction override, system-prompt extraction, a
 * request for secrets or for another customer's data). The moderation step adds it with the rules
 * that matched as its reason; the policy sends such a run to a human with that reason.
 */
export const PROMPT_INJECTION = 'prompt_injection';

export interface RiskAssessment {
  readonly escalate: boolean;
  readonly reasons: readonly string[];
  readonly risk: RiskLevel;
  /** 0..1 */
  readonly riskScore: number;
}

function overThreshold(amount: Money | null, policy: EscalationPolicy): boolean {
  if (!amount) return false;
  // An unknown currency has no automatic threshold: every refund in it needs approval.
  const threshold = policy.refundApprovalThreshold[amount.currency] ?? 0;
  return amount.amountMicros > threshold;
}

/** The amounts of the customer's text that are over the threshold, each once, for the reason's prose. */
function askedOverThreshold(requestText: string, policy: EscalationPolicy): string[] {
  const over = requestedAmounts(requestText).filter((amount) => overThreshold(amount, policy));
  return [...new Set(over.map(formatMoney))];
}

/**
 * Decides whether a drafted answer may go out or needs a supervisor: prompt injections, refunds
 * computed or money asked for over the threshold, legal threats, account closures, VIP complaints
 * and low confidence escalate. Pure. Each reason starts with a fixed phrase (packages/eval maps
 * them to codes by it) and never contains `;` (the approval joins them with it).
 */
export function assessRisk(input: RiskInput, policy: EscalationPolicy = DEFAULT_POLICY): RiskAssessment {
  const reasons: string[] = [];
  let score = 0;
  if (input.moderation?.categories.includes(PROMPT_INJECTION)) {
    reasons.push(`prompt injection (${input.moderation.reason.replaceAll(';', ',')})`);
    score = Math.max(score, 0.85);
  }
  const refund = input.actions.find((action) => action.kind === 'refund');
  if (refund && overThreshold(refund.amount, policy)) {
    reasons.push('refund above the approval threshold');
    score = Math.max(score, 0.75);
  }
  const asked = askedOverThreshold(input.requestText, policy);
  if (asked.length > 0) {
    reasons.push(`amount asked for above the approval threshold (${asked.join(', ')})`);
    score = Math.max(score, 0.75);
  }
  if (input.triage.signals.includes('legal_threat') || input.triage.category === 'legal') {
    reasons.push('legal threat');
    score = Math.max(score, 0.9);
  }
  if (input.triage.signals.includes('account_closure')) {
    reasons.push('account closure');
    score = Math.max(score, 0.8);
  }
  if (policy.escalateVip && input.tier === 'VIP' && (input.triage.sentiment === 'negative' || refund !== undefined)) {
    reasons.push('VIP customer');
    score = Math.max(score, 0.6);
  }
  // A clear answer to a loosely classified question is fine; an unsure answer, or a request
  // that could not be classified at all, is not.
  if (input.draft.confidence < policy.minConfidence) {
    reasons.push(`low confidence (${input.draft.confidence.toFixed(2)})`);
    score = Math.max(score, 0.55);
  }
  if (input.triage.confidence < policy.minTriageConfidence) {
    reasons.push(`unclear request (triage confidence ${input.triage.confidence.toFixed(2)})`);
    score = Math.max(score, 0.55);
  }
  if (input.review.verdict !== 'pass') {
    reasons.push(`quality review did not pass (score ${input.review.score.toFixed(2)})`);
    score = Math.max(score, 0.5);
  }
  const risk: RiskLevel = score >= 0.85 ? 'CRITICAL' : score >= 0.7 ? 'HIGH' : score >= 0.5 ? 'MEDIUM' : 'LOW';
  return { escalate: reasons.length > 0, reasons, risk, riskScore: Number(score.toFixed(2)) };
}
