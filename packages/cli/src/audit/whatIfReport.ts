import type { RequestComparison, ReplaySummary, RunSummary } from './runComparison.js';

export interface WhatIfReport {
  readonly replayId: string;
  readonly from: string;
  readonly to: string;
  readonly tenant: string | null;
  readonly limit: number;
  /** Requests in the window beyond the limit, not replayed. */
  readonly notReplayed: number;
  readonly shadowTopics: readonly string[];
  readonly shadowThreadPrefix: string;
  readonly checkpointsKept: boolean;
  readonly requests: readonly RequestComparison[];
  readonly summary: ReplaySummary;
}

const outcomeOf = (run: RunSummary) => (run.escalated && run.outcome !== 'AWAITING_APPROVAL' ? `${run.outcome} (escalated)` : run.outcome);
const route = (nodes: readonly string[]) => (nodes.length > 0 ? nodes.join(' > ') : '(none)');
const clip = (text: string | null, max = 140) => (text === null ? '(none)' : JSON.stringify(text.length > max ? `${text.slice(0, max - 1)}…` : text));

/** The human-readable report: one line per request, details only where something changed. */
export function formatWhatIfReport(report: WhatIfReport): string[] {
  const lines = [
    `what-if replay ${report.replayId}: ${report.summary.total} request(s) of customer.requests in [${report.from}, ${report.to})${report.tenant ? ` of tenant ${report.tenant}` : ''}, through the current graph and configuration`,
    `shadow topics: ${report.shadowTopics.join(', ')}`,
    `shadow checkpoints (threads ${report.shadowThreadPrefix}*): ${report.checkpointsKept ? 'kept (--keep)' : 'deleted'}`,
  ];
  if (report.notReplayed > 0) lines.push(`${report.notReplayed} more request(s) in the window were not replayed (--limit ${report.limit})`);
  lines.push('recorded outcomes of escalated runs are compared as AWAITING_APPROVAL: a shadow run is never approved');
  for (const comparison of report.requests) {
    const flags = [comparison.sameOutcome ? 'same outcome' : 'OUTCOME CHANGED', comparison.routeChanged ? 'route changed' : 'same route', comparison.replyChanged ? 'reply changed' : 'same reply'];
    if (comparison.escalationChanged) flags.push(`escalation ${comparison.recorded.escalated ? 'yes' : 'no'} → ${comparison.shadow.escalated ? 'yes' : 'no'}`);
    lines.push(`${comparison.occurredAt}  ${comparison.conversationId}  request ${comparison.requestId}  recorded ${outcomeOf(comparison.recorded)} → shadow ${outcomeOf(comparison.shadow)}  ${flags.join(', ')}`);
    if (comparison.routeChanged) lines.push(`    route: ${route(comparison.recorded.automatedRoute)}  →  ${route(comparison.shadow.automatedRoute)}`);
    if (comparison.replyChanged) lines.push(`    reply: ${clip(comparison.recorded.automatedReply)}  →  ${clip(comparison.shadow.automatedReply)}`);
    if (comparison.shadow.error) lines.push(`    shadow run: ${comparison.shadow.error}`);
  }
  const { summary } = report;
  lines.push(
    `summary: ${summary.total} request(s): ${summary.sameOutcome} same outcome, ${summary.differentOutcome} different outcome, ${summary.routesChanged} route(s) changed, ` +
      `${summary.repliesChanged} reply(ies) changed, ${summary.escalationsChanged} escalation(s) changed; ${summary.recordedMissing} without a recorded run, ${summary.shadowIncomplete} shadow run(s) incomplete`,
  );
  return lines;
}
