import type { ApprovalDecision, Moderation, QualityReview } from './contracts.js';
import type { EscalationPolicy, RiskAssessment } from './policy.js';

/** Graph routing decisions, kept pure so they are tested without the graph. */
export function afterModeration(moderation: Moderation | null): 'triage' | 'fallback' {
  return moderation?.verdict === 'block' ? 'fallback' : 'triage';
}

export function afterQuality(review: QualityReview, solutionAttempts: number, risk: RiskAssessment, policy: EscalationPolicy): 'respond' | 'solution' | 'escalate' {
  if (review.verdict === 'revise' && solutionAttempts < policy.maxSolutionAttempts) return 'solution';
  return risk.escalate ? 'escalate' : 'respond';
}

/** What an expired approval does: hand the conversation to a person, or answer without the risky actions. */
export type ExpiryPath = 'handoff' | 'respond_without_actions';

export function afterEscalation(decision: ApprovalDecision, expiryPath: ExpiryPath = 'handoff'): 'respond' | 'handoff' {
  switch (decision) {
    case 'APPROVED':
    case 'EDITED':
      return 'respond';
    case 'REJECTED':
      return 'handoff';
    case 'EXPIRED':
      return expiryPath === 'handoff' ? 'handoff' : 'respond';
    default: {
      const unexpected: never = decision;
      throw new Error(`unknown approval decision ${String(unexpected)}`);
    }
  }
}
