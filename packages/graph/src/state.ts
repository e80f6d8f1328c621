import { Annotation } from '@langchain/langgraph';
import type {
  ApprovalDecision,
  CustomerTier,
  DraftReply,
  Moderation,
  ProposedAction,
  QualityReview,
  RiskAssessment,
  RunOutcome,
  Source,
  TriageDecision,
} from '@supportstream/domain';

/** The customer request a run answers; copied from RequestReceived. */
export interface RequestInfo {
  readonly requestId: string;
  readonly conversationId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly customerTier: CustomerTier;
  readonly channel: string;
  readonly subject: string | null;
  readonly message: string;
  readonly correlationId: string;
  /** eventId of the RequestReceived that started the run. */
  readonly receivedEventId: string;
  readonly receivedAt: string;
}

/**
 * The request as the run's state holds it: with the run's identity, so that a run's start writes
 * one channel for all three (each channel written is a checkpoint blob row). Checkpoints written
 * before hold a plain RequestInfo and the `runId` and `runStartedAt` channels: read the run's
 * identity through currentRunId / runStartedAtOf.
 */
export interface RunRequest extends RequestInfo {
  readonly runId?: string;
  readonly runStartedAt?: string;
}

export interface ConversationMessage {
  readonly role: 'customer' | 'agent';
  readonly text: string;
  readonly at: string;
  readonly requestId: string;
}

export interface LlmCallRecord {
  readonly task: string;
  readonly provider: string;
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly latencyMs: number;
  readonly costMicros: number;
  readonly currency: string;
  /** Served from the step cache after a re-run: not paid again. */
  readonly cached: boolean;
}

/** What the last step did; the step runner turns it into events, identically on every replay. */
export interface StepRecord {
  readonly node: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: string;
  readonly output: Readonly<Record<string, unknown>>;
  readonly llmCalls: readonly LlmCallRecord[];
  /**
   * The run's step count and model usage after this step. Kept in the step's record, so a step
   * writes one bookkeeping channel, not three (checkpoints written before have them in the
   * `stepCount` and `runUsage` channels: read both through stepCountOf / runUsageOf).
   */
  readonly index?: number;
  readonly runUsage?: RunUsage;
}

export interface ApprovalState {
  readonly approvalId: string;
  readonly reason: string;
  readonly risk: RiskAssessment['risk'];
  readonly riskScore: number;
  readonly proposedReply: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decision: ApprovalDecision | null;
  readonly decidedBy: string | null;
  readonly comment: string | null;
  readonly editedReply: string | null;
  /** The ApprovalDecided/ApprovalExpired event that resumed the run. */
  readonly decisionEventId: string | null;
}

/** Model usage summed over a run, for RequestOutcome (calls served from the cache cost nothing). */
export interface RunUsage {
  readonly llmCalls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costMicros: number;
}

export const NO_USAGE: RunUsage = { llmCalls: 0, promptTokens: 0, completionTokens: 0, costMicros: 0 };

/** The run's id (from the request channel; older checkpoints: the runId channel). */
export const currentRunId = (state: Pick<SupportStateType, 'request' | 'runId'>): string => state.request?.runId ?? state.runId;

/** When the run started (from the request channel; older checkpoints: the runStartedAt channel). */
export const runStartedAtOf = (state: Pick<SupportStateType, 'request' | 'runStartedAt'>): string => state.request?.runStartedAt ?? state.runStartedAt;

/** Steps the run has taken so far. */
export const stepCountOf = (state: Pick<SupportStateType, 'lastStep' | 'stepCount'>): number => state.lastStep?.index ?? state.stepCount;

/** The run's model usage so far (cached answers cost nothing). */
export const runUsageOf = (state: Pick<SupportStateType, 'lastStep' | 'runUsage'>): RunUsage => state.lastStep?.runUsage ?? state.runUsage;

const replace = <T>(initial: () => T) => Annotation<T>({ reducer: (_previous: T, next: T) => next, default: initial });

/** Conversations keep their last messages only: state stays lean (DESIGN: ids and summaries). */
export const MAX_MESSAGES = 20;

/**
 * Graph state. Per-run fields are reset by the input that starts a run; `messages` accumulates
 * over the conversation's runs (bounded). Sources keep short excerpts, never whole documents.
 */
export const SupportState = Annotation.Root({
  /** Written by checkpoints from before the run's identity moved into `request`; reset (once) by a new run. */
  runId: replace<string>(() => ''),
  runStartedAt: replace<string>(() => ''),
  request: replace<RunRequest | null>(() => null),
  messages: Annotation<ConversationMessage[]>({
    reducer: (previous, next) => previous.concat(next).slice(-MAX_MESSAGES),
    default: () => [],
  }),
  history: replace<string[]>(() => []),
  moderation: replace<Moderation | null>(() => null),
  triageDecision: replace<TriageDecision | null>(() => null),
  sources: replace<Source[]>(() => []),
  facts: replace<string[]>(() => []),
  draft: replace<DraftReply | null>(() => null),
  proposedActions: replace<ProposedAction[]>(() => []),
  review: replace<QualityReview | null>(() => null),
  risk: replace<RiskAssessment | null>(() => null),
  approval: replace<ApprovalState | null>(() => null),
  solutionAttempts: replace<number>(() => 0),
  outcome: replace<RunOutcome | null>(() => null),
  finalReply: replace<string | null>(() => null),
  finalCitations: replace<{ sourceId: string; title: string }[]>(() => []),
  stepCount: replace<number>(() => 0),
  runUsage: replace<RunUsage>(() => ({ ...NO_USAGE })),
  lastStep: replace<StepRecord | null>(() => null),
});

export type SupportStateType = typeof SupportState.State;
export type SupportStateUpdate = typeof SupportState.Update;

/** The input that starts a new run on a conversation's thread: resets every per-run field. */
export function runStartInput(runId: string, request: RequestInfo, history: string[], startedAt: string): SupportStateUpdate {
  return {
    // The run's identity rides in the request; the old channels go back to their defaults (no
    // write on a thread that never had them: see withoutUnchanged).
    runId: '',
    runStartedAt: '',
    request: { ...request, runId, runStartedAt: startedAt },
    messages: [{ role: 'customer', text: request.message, at: request.receivedAt, requestId: request.requestId }],
    history,
    moderation: null,
    triageDecision: null,
    sources: [],
    facts: [],
    draft: null,
    proposedActions: [],
    review: null,
    risk: null,
    approval: null,
    solutionAttempts: 0,
    outcome: null,
    finalReply: null,
    finalCitations: [],
    stepCount: 0,
    runUsage: { ...NO_USAGE },
    lastStep: null,
  };
}

/**
 * The update without the fields that would not change the current state: each field written is a
 * channel blob in the checkpoint, so a start on a new thread (all defaults) writes only what is new.
 * `messages` always goes through (its reducer appends). `current` is the thread's state before the
 * update (undefined fields read as their defaults, which the resets of runStartInput equal).
 */
export function withoutUnchanged(update: SupportStateUpdate, current: Partial<SupportStateType> | undefined): SupportStateUpdate {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update)) {
    const before = current?.[key as keyof SupportStateType];
    const unchanged = key !== 'messages' && (before === undefined ? isResetValue(value) : JSON.stringify(before) === JSON.stringify(value));
    if (!unchanged) kept[key] = value;
  }
  return kept;
}

/** The values runStartInput resets fields to, which are also the channels' defaults. */
const isResetValue = (value: unknown): boolean =>
  value === null || value === '' || value === 0 || (Array.isArray(value) && value.length === 0) || JSON.stringify(value) === JSON.stringify(NO_USAGE);
