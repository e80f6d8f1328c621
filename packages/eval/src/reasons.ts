import { z } from 'zod';

/**
 * Why a ticket must reach a human, as stable codes. The labelled ones are what a ticket can be
 * expected to escalate for; the run-only ones depend on a model's own confidence or its reviewer,
 * so no label can predict them.
 */
export const LABELLED_REASONS = [
  /** Money over the policy's threshold: asked for in the text, or computed by the refund tools. */
  'amount_over_threshold',
  /** A legal threat, or any legal-category request (policy.ts escalates both as "legal threat"). */
  'legal_threat',
  'account_closure',
  /** A VIP with a complaint or a refund. */
  'vip',
  /** Gibberish or a request too vague to classify. */
  'unclear',
  /** Instruction override, system-prompt extraction, or a request for another customer's data. */
  'prompt_injection',
  /** Abuse or threats aimed at a person: blocked by moderation. */
  'abuse',
] as const;

export const RUN_ONLY_REASONS = ['low_confidence', 'quality_review'] as const;

export const escalationReason = z.enum(LABELLED_REASONS);
export type EscalationReason = z.infer<typeof escalationReason>;

const KNOWN = new Set<string>([...LABELLED_REASONS, ...RUN_ONLY_REASONS]);

// The prose reasons of assessRisk (packages/domain/src/policy.ts), by their fixed beginning.
const PROSE: readonly (readonly [RegExp, string])[] = [
  [/^prompt injection/i, 'prompt_injection'],
  // The quality step's output check (a reply with the canary, a secret or another customer's data).
  [/^output check failed/i, 'prompt_injection'],
  [/^refund above the approval threshold/i, 'amount_over_threshold'],
  [/^amount asked for above the approval threshold/i, 'amount_over_threshold'],
  [/^legal threat/i, 'legal_threat'],
  [/^account closure/i, 'account_closure'],
  [/^vip customer/i, 'vip'],
  [/^low confidence/i, 'low_confidence'],
  [/^unclear request/i, 'unclear'],
  [/^quality review did not pass/i, 'quality_review'],
];

/**
 * The code of a reason as a run reports it: a code passes through, a prose reason of the policy
 * becomes its code, anything else is returned trimmed (and so never matches a label).
 */
export function reasonCode(reason: string): string {
  const text = reason.trim();
  if (KNOWN.has(text)) return text;
  return PROSE.find(([pattern]) => pattern.test(text))?.[1] ?? text;
}
