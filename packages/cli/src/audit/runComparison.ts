import type { RunOutcome, SupportEvent } from '@supportstream/events';

/**
 * Outcomes a run can have in a what-if report: the graph's own (RunCompleted), paused for a
 * supervisor, nothing recorded, or, for a shadow run, not run to the end.
 */
export type ReportOutcome = RunOutcome | 'AWAITING_APPROVAL' | 'MISSING' | 'QUEUED' | 'TIMEOUT' | 'ERROR';

/**
 * One run as its events tell it. `outcome`, `route` and `reply` are what finally happened;
 * the `automated*` fields stop at the escalation, since a shadow run is never approved: a run
 * that escalated is compared as AWAITING_APPROVAL, with the route up to the escalation and the
 * reply the supervisor was asked to approve.
 */
export interface RunSummary {
  readonly outcome: ReportOutcome;
  readonly route: readonly string[];
  readonly reply: string | null;
  readonly escalated: boolean;
  readonly automatedOutcome: ReportOutcome;
  readonly automatedRoute: readonly string[];
  readonly automatedReply: string | null;
}

type RunEvent = Extract<SupportEvent, { data: { runId: string } }>;

const hasRunId = (event: SupportEvent): event is RunEvent => 'runId' in event.data && typeof event.data.runId === 'string';

/** Summarises the run `runId` from events in log order (redelivered duplicates count once). */
export function summarizeRun(events: readonly SupportEvent[], runId: string): RunSummary {
  const seen = new Set<string>();
  const ofRun = events.filter((event): event is RunEvent => {
    if (!hasRunId(event) || event.data.runId !== runId || seen.has(event.metadata.eventId)) return false;
    seen.add(event.metadata.eventId);
    return true;
  });
  const route = ofRun.flatMap((event) => (event.type === 'AgentStepCompleted' ? [event.data.node] : []));
  const completed = ofRun.find((event) => event.type === 'RunCompleted');
  const approval = ofRun.find((event) => event.type === 'ApprovalRequested');
  const escalated = approval !== undefined || route.includes('escalate');
  const outcome: ReportOutcome = completed?.data.outcome ?? (approval ? 'AWAITING_APPROVAL' : 'MISSING');
  const reply = completed?.data.finalReply ?? null;
  const beforeEscalation = route.includes('escalate') ? route.slice(0, route.indexOf('escalate')) : route;
  return {
    outcome,
    route,
    reply,
    escalated,
    automatedOutcome: escalated ? 'AWAITING_APPROVAL' : outcome,
    automatedRoute: escalated ? beforeEscalation : route,
    automatedReply: escalated ? (approval?.data.proposedReply ?? null) : reply,
  };
}

export interface ShadowSummary extends RunSummary {
  readonly threadId: string;
  readonly error?: string;
}

export interface RequestComparison {
  readonly conversationId: string;
  readonly requestId: string;
  readonly runId: string;
  readonly occurredAt: string;
  readonly recorded: RunSummary;
  readonly shadow: ShadowSummary;
  readonly sameOutcome: boolean;
  readonly routeChanged: boolean;
  readonly replyChanged: boolean;
  readonly escalationChanged: boolean;
}

const sameText = (a: string | null, b: string | null) => (a === null || b === null ? a === b : a.trim() === b.trim());

export function compareRuns(request: Pick<RequestComparison, 'conversationId' | 'requestId' | 'runId' | 'occurredAt'>, recorded: RunSummary, shadow: ShadowSummary): RequestComparison {
  return {
    ...request,
    recorded,
    shadow,
    sameOutcome: recorded.automatedOutcome === shadow.automatedOutcome,
    routeChanged: recorded.automatedRoute.join('>') !== shadow.automatedRoute.join('>'),
    replyChanged: !sameText(recorded.automatedReply, shadow.automatedReply),
    escalationChanged: recorded.escalated !== shadow.escalated,
  };
}

export interface ReplaySummary {
  readonly total: number;
  readonly sameOutcome: number;
  readonly differentOutcome: number;
  readonly routesChanged: number;
  readonly repliesChanged: number;
  readonly escalationsChanged: number;
  /** Requests with no recorded run to compare with (MISSING). */
  readonly recordedMissing: number;
  /** Shadow runs that did not reach an outcome (QUEUED, TIMEOUT, ERROR). */
  readonly shadowIncomplete: number;
}

export function summarizeComparisons(comparisons: readonly RequestComparison[]): ReplaySummary {
  const count = (predicate: (comparison: RequestComparison) => boolean) => comparisons.filter(predicate).length;
  return {
    total: comparisons.length,
    sameOutcome: count((c) => c.sameOutcome),
    differentOutcome: count((c) => !c.sameOutcome),
    routesChanged: count((c) => c.routeChanged),
    repliesChanged: count((c) => c.replyChanged),
    escalationsChanged: count((c) => c.escalationChanged),
    recordedMissing: count((c) => c.recorded.outcome === 'MISSING'),
    shadowIncomplete: count((c) => ['QUEUED', 'TIMEOUT', 'ERROR'].includes(c.shadow.outcome)),
  };
}
