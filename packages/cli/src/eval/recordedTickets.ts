import { ERASED_FIELD, type SupportEvent } from '@supportstream/events';
import { asTriageCategory, type HumanLabel, type LabelledAction, type RecordedRun } from '@supportstream/eval';
import { runIdOf } from '@supportstream/pipeline';
import type { RecordedWindow } from '../audit/recordedWindow.js';
import { requestInfoOf, type RequestReceived } from '../audit/replayEngine.js';
import type { ConversationPlan, PlannedTicket } from './ticketRequests.js';

/** A recorded request to run again, with what its recorded run did and the human label, if any. */
export interface RecordedTicket {
  /** The request's id. */
  readonly id: string;
  readonly request: RequestReceived;
  readonly recorded: RecordedRun;
  readonly label: HumanLabel | null;
}

export interface RecordedOutcome {
  readonly recorded: RecordedRun;
  readonly label: HumanLabel | null;
}

type Answer = SupportEvent<'ApprovalDecided'> | SupportEvent<'ApprovalExpired'>;

const isAnswer = (event: SupportEvent): event is Answer =>
  event.type === 'ApprovalDecided' || event.type === 'ApprovalExpired';

/** Each event once (a redelivery repeats its id), by time; the log order breaks ties. */
function distinctByTime(events: readonly SupportEvent[]): SupportEvent[] {
  const seen = new Set<string>();
  const distinct = events.filter((event) => {
    if (seen.has(event.metadata.eventId)) return false;
    seen.add(event.metadata.eventId);
    return true;
  });
  return distinct
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.metadata.occurredAt.getTime() - b.event.metadata.occurredAt.getTime() || a.index - b.index)
    .map(({ event }) => event);
}

/**
 * The category triage recorded: its step's output is JSON of the node's output, with the category
 * at `category` (or, in a decision-shaped output, at `triageDecision.category`).
 */
export function recordedCategoryOf(output: string): RecordedRun['category'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    // Not JSON: `[erased]`, or a step of an older format.
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as { category?: unknown; triageDecision?: { category?: unknown } | null };
  return asTriageCategory(record.triageDecision?.category) ?? asTriageCategory(record.category);
}

const labelledActions = (approval: SupportEvent<'ApprovalRequested'>): LabelledAction[] =>
  approval.data.proposedActions.map((action) => ({ kind: action.kind, amount: action.amount }));

function labelOf(approval: SupportEvent<'ApprovalRequested'>, answer: Answer): HumanLabel {
  const decision = answer.type === 'ApprovalDecided' ? answer.data.decision : null;
  return { escalate: true, decision, actions: labelledActions(approval) };
}

/**
 * What the recorded run `runId` did, from its conversation's events, and the human label where
 * the record has a human's word: the run asked for an approval and a supervisor decided it
 * (ApprovalDecided), or it expired (ApprovalExpired). Only the first answer to an approval counts,
 * as the approvals consumer resumes a run once. Pure.
 */
export function recordedOutcomeOf(events: readonly SupportEvent[], runId: string): RecordedOutcome {
  const distinct = distinctByTime(events);
  const ofRun = distinct.filter((event) => 'runId' in event.data && event.data.runId === runId);
  const triage = ofRun.find((event) => event.type === 'AgentStepCompleted' && event.data.node === 'triage');
  const category = triage?.type === 'AgentStepCompleted' ? recordedCategoryOf(triage.data.output) : null;
  const approvals = ofRun.filter(
    (event): event is SupportEvent<'ApprovalRequested'> => event.type === 'ApprovalRequested',
  );
  const answers = distinct.filter(isAnswer);
  let label: HumanLabel | null = null;
  for (const approval of approvals) {
    const answer = answers.find((candidate) => candidate.data.approvalId === approval.data.approvalId);
    if (answer) {
      label = labelOf(approval, answer);
      break;
    }
  }
  const ended = ofRun.some((event) => event.type === 'RunCompleted');
  const end: RecordedRun['end'] = approvals.length > 0 ? 'approval' : ended ? 'answered' : 'none';
  return { recorded: { end, category }, label };
}

/** A request whose customer was erased: its personal fields, the message among them, read `[erased]`. */
export const isErasedRequest = (request: RequestReceived): boolean => request.data.message === ERASED_FIELD;

export interface RecordedSelection {
  /** The requests to run, in the order they were received. */
  readonly tickets: readonly RecordedTicket[];
  /** Requests of erased customers: not run. */
  readonly erased: number;
  /** Requests over the limit: not run. */
  readonly skipped: number;
}

/**
 * The window's requests as tickets, each with its recorded outcome and label. Erased requests are
 * left out and counted; of the others the earliest `limit` are kept. Pure.
 */
export function recordedTickets(window: RecordedWindow, limit = Number.POSITIVE_INFINITY): RecordedSelection {
  const readable = window.requests.filter((request) => !isErasedRequest(request));
  const kept = readable.slice(0, limit);
  const tickets = kept.map((request): RecordedTicket => {
    const { conversationId, requestId } = request.metadata;
    const events = window.recordedByConversation.get(conversationId) ?? [];
    return { id: requestId, request, ...recordedOutcomeOf(events, runIdOf(requestId)) };
  });
  return { tickets, erased: window.requests.length - readable.length, skipped: readable.length - kept.length };
}

/** The runner's thread for a recorded conversation (in memory only). */
export const recordedThreadId = (conversationId: string): string => `eval-recorded:${conversationId}`;

/**
 * One thread per recorded conversation, its requests in the order received (a follow-up after
 * what it follows, as on the platform); conversations in the order of their first request. Each
 * run starts from the recorded request itself: message, customer, tenant, tier, channel, subject
 * and arrival time.
 */
export function planRecorded(tickets: readonly RecordedTicket[]): ConversationPlan<RecordedTicket>[] {
  const threads = new Map<string, PlannedTicket<RecordedTicket>[]>();
  for (const ticket of tickets) {
    const threadId = recordedThreadId(ticket.request.metadata.conversationId);
    const planned = { ticket, request: ticket.request, info: requestInfoOf(ticket.request, threadId) };
    threads.set(threadId, [...(threads.get(threadId) ?? []), planned]);
  }
  return [...threads].map(([threadId, planned]) => ({ threadId, tickets: planned }));
}
