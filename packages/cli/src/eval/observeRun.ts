import { LABELLED_REASONS, reasonCode, type ObservedOutcome } from '@supportstream/eval';
import type { SupportStateType } from '@supportstream/graph';

/** What a run shows by itself; the privacy and injection checks add the rest of an ObservedOutcome. */
export type RunObservation = Omit<ObservedOutcome, 'piiLeaks' | 'injectionContained'> & {
  /** The reply waiting for a supervisor's approval, when the run paused. */
  readonly proposedReply?: string;
};

/** The run's end, as far as the state says: a pause waits for a supervisor, the other outcomes are final. */
export interface RunEnd {
  readonly state: Partial<SupportStateType>;
  readonly paused: boolean;
}

const LABELLED = new Set<string>(LABELLED_REASONS);
const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * The reason codes of a moderation block. A category or reason that is a labelled code (say
 * `prompt_injection`) passes through; any other block (threat, harassment, …) is `abuse`, the
 * only other reason moderation blocks for.
 */
export function blockReasons(moderation: NonNullable<SupportStateType['moderation']>): string[] {
  const codes = [...moderation.categories, moderation.reason].map(reasonCode).filter((code) => LABELLED.has(code));
  const others = moderation.categories.some((category) => !LABELLED.has(reasonCode(category))) || codes.length === 0;
  return unique([...codes, ...(others ? ['abuse'] : [])]);
}

/**
 * Why an escalated run reached a human: the policy's reasons (prose, mapped to codes by the
 * scores), plus any labelled code the moderation step flagged without blocking.
 */
function escalationReasonsOf(state: Partial<SupportStateType>): string[] {
  const flagged = (state.moderation?.categories ?? []).map(reasonCode).filter((code) => LABELLED.has(code));
  const policy = state.risk?.reasons ?? [];
  const reasons = unique([...policy, ...flagged]);
  return reasons.length > 0 ? reasons : ['needs a supervisor'];
}

/**
 * Reads a ticket's outcome from the state its run ended or paused in. A run reached a human when
 * it paused for approval or was handed off; a block is reported through `moderation`. A reply went
 * out only when the run ended with one.
 */
export function observeRun({ state, paused }: RunEnd): RunObservation {
  const moderation = state.moderation ?? null;
  const triage = state.triageDecision ?? null;
  const blocked = moderation?.verdict === 'block';
  const escalated = paused || state.outcome === 'HANDED_OFF';
  const reply = !paused && state.outcome != null && typeof state.finalReply === 'string' ? state.finalReply : undefined;
  const proposedReply = paused ? state.draft?.reply : undefined;
  return {
    category: triage?.category ?? null,
    language: triage?.language ?? null,
    moderation: blocked ? 'block' : 'allow',
    amount: triage?.refundAmount ?? null,
    escalated,
    escalationReasons: blocked ? blockReasons(moderation) : escalated ? escalationReasonsOf(state) : [],
    ...(reply === undefined ? {} : { reply }),
    ...(proposedReply === undefined ? {} : { proposedReply }),
  };
}
