// The customer's view of a conversation: one turn per message they sent, folded from the events
// of the conversation's stream. Every event of a run carries the requestId of the message it
// answers, so each event lands in its turn. Pure: the page holds the value, this computes the next.
import type { ConversationEvent } from '../api/types.js';

/** Where a turn stands, as the customer sees it. */
export type TurnPhase = 'sending' | 'received' | 'working' | 'review' | 'done';

export type ReviewState = 'pending' | 'APPROVED' | 'REJECTED' | 'EDITED' | 'EXPIRED';

export interface Turn {
  /** This page's id for a message it sent (kept when the gateway's requestId arrives). */
  readonly key: string;
  /** The gateway's id of the request; undefined while it is being sent. */
  readonly requestId: string | undefined;
  readonly message: string;
  readonly sentAt: string;
  readonly phase: TurnPhase;
  /** Graph nodes that ran for this message, in order, without repeats. */
  readonly steps: readonly string[];
  /** The node running now (the last step's `next`). */
  readonly current: string | undefined;
  /** A step failed and is being retried. */
  readonly retrying: boolean;
  readonly review: ReviewState | undefined;
  readonly outcome: string | undefined;
  readonly reply: string | undefined;
  readonly sources: readonly string[];
}

export interface Transcript {
  readonly turns: readonly Turn[];
  /** The highest stream seq folded (events at or below it are repeats after a reconnect). */
  readonly lastSeq: string;
}

export const emptyTranscript: Transcript = { turns: [], lastSeq: '0' };

/** What the customer reads while a node runs. */
export const STEP_LABELS: Readonly<Record<string, string>> = {
  moderate: 'Reading your message…',
  triage: 'Triaging…',
  research: 'Researching…',
  solution: 'Drafting a reply…',
  quality: 'Checking the draft…',
  escalate: 'Asking a supervisor…',
  respond: 'Sending the reply…',
  handoff: 'Handing over to our team…',
  fallback: 'Preparing a reply…',
};

export const stepLabel = (node: string): string => STEP_LABELS[node] ?? `${node}…`;

const newTurn = (key: string, requestId: string | undefined, message: string, sentAt: string, phase: TurnPhase): Turn => ({
  key,
  requestId,
  message,
  sentAt,
  phase,
  steps: [],
  current: undefined,
  retrying: false,
  review: undefined,
  outcome: undefined,
  reply: undefined,
  sources: [],
});

const isLater = (seq: string, than: string): boolean => /^\d+$/.test(seq) && BigInt(seq) > BigInt(than);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const REVIEWS = new Set<string>(['APPROVED', 'REJECTED', 'EDITED']);

function sourcesOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const citation = item as Record<string, unknown>;
    const name = str(citation['title']) ?? str(citation['sourceId']);
    return name === undefined ? [] : [name];
  });
}

/** The decision an escalate step reports in its output (`{"approvalId", "decision"}`), if readable. */
function decisionOf(output: unknown): ReviewState | undefined {
  if (typeof output !== 'string') return undefined;
  try {
    const decision = str((JSON.parse(output) as Record<string, unknown>)['decision']);
    return decision !== undefined && (REVIEWS.has(decision) || decision === 'EXPIRED') ? (decision as ReviewState) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The turn after one of its events (events that say nothing to a customer leave it as it is).
 * Events of one run come from several topics, so they may be folded slightly out of order: a
 * step announced after the approval request does not end the review, and a late decision or
 * reply still lands on a finished turn.
 */
function evolve(turn: Turn, event: ConversationEvent): Turn {
  const data = event.data;
  const done = turn.phase === 'done';
  switch (event.type) {
    case 'RequestReceived':
      return turn.phase === 'sending' ? { ...turn, phase: 'received', current: 'triage' } : turn;
    case 'AgentStepCompleted': {
      const node = str(data['node']);
      const steps = node === undefined || turn.steps.includes(node) ? turn.steps : [...turn.steps, node];
      if (done) return { ...turn, steps };
      if (node === 'escalate') return { ...turn, steps, phase: 'working', current: str(data['next']), retrying: false, review: decisionOf(data['output']) ?? (turn.review === 'pending' ? undefined : turn.review) };
      if (turn.review === 'pending') return { ...turn, steps };
      return { ...turn, steps, phase: 'working', current: str(data['next']), retrying: false };
    }
    case 'StepFailed':
      return done ? turn : { ...turn, retrying: data['willRetry'] === true };
    case 'ApprovalRequested':
      return done || turn.review !== undefined ? turn : { ...turn, phase: 'review', review: 'pending', current: undefined };
    case 'ApprovalDecided': {
      const decision = str(data['decision']);
      const review = decision !== undefined && REVIEWS.has(decision) ? (decision as ReviewState) : turn.review;
      return done || turn.phase !== 'review' ? { ...turn, review } : { ...turn, review, phase: 'working', current: 'respond' };
    }
    case 'ApprovalExpired':
      return done || turn.phase !== 'review' ? { ...turn, review: 'EXPIRED' } : { ...turn, review: 'EXPIRED', phase: 'working', current: undefined };
    case 'RunCompleted': {
      const sources = sourcesOf(data['citations']);
      const review = turn.review === 'pending' ? undefined : turn.review;
      return { ...turn, phase: 'done', current: undefined, retrying: false, review, outcome: str(data['outcome']) ?? 'FAILED', reply: turn.reply ?? str(data['finalReply']), sources: sources.length > 0 ? sources : turn.sources };
    }
    case 'ReplyReady': {
      const sources = sourcesOf(data['citations']);
      return { ...turn, reply: turn.reply ?? str(data['body']), sources: turn.sources.length > 0 ? turn.sources : sources };
    }
    default:
      return turn;
  }
}

/** Folds one event from the stream; a repeat (seq already folded) changes nothing. */
export function applyEvent(transcript: Transcript, event: ConversationEvent): Transcript {
  if (!isLater(event.seq, transcript.lastSeq)) return transcript;
  const lastSeq = event.seq;
  const index = transcript.turns.findIndex((turn) => turn.requestId === event.requestId);
  if (index < 0) {
    // A message of this conversation this page did not send (another tab, the CLI): shown as well.
    if (event.type !== 'RequestReceived') return { ...transcript, lastSeq };
    const message = str(event.data['message']) ?? '';
    return { turns: [...transcript.turns, evolve(newTurn(`request-${event.requestId}`, event.requestId, message, event.occurredAt, 'received'), event)], lastSeq };
  }
  const turns = transcript.turns.map((turn, at) => (at === index ? evolve(turn, event) : turn));
  return { turns, lastSeq };
}

/** The message the customer just sent, shown at once while it is posted. */
export function addPending(transcript: Transcript, key: string, message: string, sentAt: string): Transcript {
  return { ...transcript, turns: [...transcript.turns, newTurn(key, undefined, message, sentAt, 'sending')] };
}

/**
 * The gateway accepted the message. If its events came first (the stream can be faster than the
 * POST's answer), the turn they made takes the sent message's place.
 */
export function confirmSent(transcript: Transcript, key: string, requestId: string): Transcript {
  const early = transcript.turns.find((turn) => turn.requestId === requestId);
  const turns = transcript.turns
    .filter((turn) => turn !== early)
    .map((turn): Turn => {
      if (turn.key !== key) return turn;
      if (early !== undefined) return { ...early, key, message: turn.message, sentAt: turn.sentAt };
      return { ...turn, requestId, phase: 'received', current: 'triage' };
    });
  return { ...transcript, turns };
}

/** The message could not be sent: it goes back into the composer, out of the transcript. */
export function dropPending(transcript: Transcript, key: string): Transcript {
  return { ...transcript, turns: transcript.turns.filter((turn) => turn.key !== key) };
}

/** A turn waits behind an earlier one still running (the platform runs one message of a conversation at a time). */
export function isQueued(turns: readonly Turn[], index: number): boolean {
  const turn = turns[index];
  if (turn === undefined || turn.phase !== 'received' || turn.steps.length > 0) return false;
  return turns.slice(0, index).some((earlier) => earlier.phase !== 'done' && earlier.phase !== 'sending');
}
