import type { RecordedCounts, RecordedFailure, RecordedResult, RecordedScores } from './recorded.js';
import { cell, checkGate, describeThreshold, type GateFailure, type Threshold } from './report.js';
import type { Ratio } from './scores.js';

/** The scores of recorded traffic a gate can hold (the flat ones). */
export type RecordedGateScores = Pick<
  RecordedScores,
  'escalationRecall' | 'decisionAgreement' | 'amountsExact' | 'newEscalations' | 'piiLeaks' | 'outputLeaks'
>;
export type RecordedScoreName = keyof RecordedGateScores;
export type RecordedThresholds = Readonly<Partial<Record<RecordedScoreName, Threshold>>>;

/**
 * `eval --from/--to --gate`: every request a supervisor had to see still reaches one, and no
 * personal value leaks. The rest differs from the record by design when a prompt or model changes:
 * it is reported, not gated.
 */
export const RECORDED_GATE: RecordedThresholds = {
  escalationRecall: { atLeast: 1 },
  piiLeaks: { atMost: 0 },
};

export function checkRecordedGate(
  scores: RecordedScores,
  thresholds: RecordedThresholds = RECORDED_GATE,
): GateFailure<RecordedScoreName>[] {
  const { agreementWithRecorded: _agreement, ...flat } = scores;
  return checkGate<RecordedScoreName>(flat, thresholds);
}

/** The window the requests were read from; times as ISO strings. */
export interface RecordedSource {
  readonly from: string;
  readonly to: string;
  readonly tenant: string | null;
}

/** Where a run over recorded traffic comes from, and what of the window it ran. */
export interface RecordedMeta {
  readonly commit: string;
  readonly provider: string;
  readonly model?: string;
  readonly generatedAt?: string;
  readonly source: RecordedSource;
  /** RequestReceived events in the window (of the tenant), each request once. */
  readonly requests: number;
  /** Not run: the customer was erased, so the message reads `[erased]`. */
  readonly erased: number;
  /** Not run: over --limit. */
  readonly skipped: number;
}

export interface RecordedJsonRecord {
  readonly commit: string;
  readonly provider: string;
  readonly model?: string;
  readonly generatedAt?: string;
  readonly source: RecordedSource;
  readonly counts: { readonly requests: number; readonly erased: number; readonly skipped: number } & RecordedCounts;
  readonly scores: RecordedScores;
  /** The thresholds missed, when a gate was checked. */
  readonly gate?: readonly GateFailure<RecordedScoreName>[];
  readonly failures: readonly RecordedFailure[];
}

/** The record written to `<out>/recorded-<provider>-<time>.json`. */
export function toRecordedJsonRecord(
  result: RecordedResult,
  meta: RecordedMeta,
  gate?: readonly GateFailure<RecordedScoreName>[],
): RecordedJsonRecord {
  return {
    commit: meta.commit,
    provider: meta.provider,
    ...(meta.model !== undefined ? { model: meta.model } : {}),
    ...(meta.generatedAt !== undefined ? { generatedAt: meta.generatedAt } : {}),
    source: meta.source,
    counts: { requests: meta.requests, erased: meta.erased, skipped: meta.skipped, ...result.counts },
    scores: result.scores,
    ...(gate !== undefined ? { gate } : {}),
    failures: result.failures,
  };
}

export interface RecordedMarkdownOptions {
  readonly thresholds?: RecordedThresholds;
  /** How many requests with differences to list (default 50). */
  readonly maxFailures?: number;
}

const ratio = ({ hits, total }: Ratio) => `${hits}/${total}`;
const row = (label: string, value: string, count: string, target = '') =>
  `| ${label} | ${value} | ${count} | ${target} |`;
const score = (value: number | null) => (value === null ? '—' : value.toFixed(3));

function sourceLine(meta: RecordedMeta): string {
  const tenant = meta.source.tenant === null ? 'every tenant' : `tenant \`${meta.source.tenant}\``;
  const at = meta.generatedAt !== undefined ? `, run ${meta.generatedAt}` : '';
  return `Commit \`${meta.commit}\`, requests received in [${meta.source.from}, ${meta.source.to}) of ${tenant}${at}.`;
}

function countLines(counts: RecordedCounts, meta: RecordedMeta): string[] {
  const { APPROVED, EDITED, REJECTED, EXPIRED } = counts.byDecision;
  return [
    `${meta.requests} request(s): ${counts.runs} run, ${meta.erased} erased, ${meta.skipped} skipped (over --limit).`,
    `Of the runs: ${counts.humanLabelled} human-labelled (${APPROVED} approved, ${EDITED} edited, ` +
      `${REJECTED} rejected, ${EXPIRED} expired), ${counts.answeredAlone} answered by the recorded run without an ` +
      `approval, ${counts.awaitingDecision} awaiting a decision, ${counts.notRecorded} with no recorded end; ` +
      `${counts.failedRuns} failed.`,
  ];
}

/** The human-readable report: the window, the scores against the human labels, the agreement, the differences. */
export function renderRecordedMarkdown(
  result: RecordedResult,
  meta: RecordedMeta,
  options: RecordedMarkdownOptions = {},
): string {
  const { scores, counts } = result;
  const { agreementWithRecorded: agreement } = scores;
  const compared = counts.agreement.escalation.total;
  const { output } = counts;
  const thresholds = options.thresholds ?? {};
  const failed = new Set(checkRecordedGate(scores, thresholds).map((failure) => failure.metric));
  const target = (metric: RecordedScoreName) => {
    const threshold = thresholds[metric];
    return threshold === undefined ? '' : `${describeThreshold(threshold)} ${failed.has(metric) ? '✗' : '✓'}`;
  };
  const model = meta.model !== undefined ? ` (${meta.model})` : '';
  const lines = [
    `# Evaluation of recorded traffic: ${meta.provider}${model}`,
    '',
    sourceLine(meta),
    '',
    ...countLines(counts, meta),
    '',
    "## Against the supervisors' decisions",
    '',
    '| metric | score | count | target |',
    '|---|---|---|---|',
    row('Escalation recall', score(scores.escalationRecall), ratio(counts.escalation), target('escalationRecall')),
    row('Decision agreement', score(scores.decisionAgreement), ratio(counts.decision), target('decisionAgreement')),
    row('Exact amounts (approved)', score(scores.amountsExact), ratio(counts.amounts), target('amountsExact')),
    '',
    '## Agreement with the recorded run, not a human label',
    '',
    'Over the requests the recorded run answered without an approval (failed new runs left out).',
    '',
    '| metric | score | count | target |',
    '|---|---|---|---|',
    row('Not escalated, as recorded', score(agreement.escalation), ratio(counts.agreement.escalation)),
    row('Same triage category', score(agreement.category), ratio(counts.agreement.category)),
    row('New escalations', String(scores.newEscalations), `of ${compared}`, target('newEscalations')),
    '',
    '## Privacy and output checks (no label needed)',
    '',
    '| metric | score | count | target |',
    '|---|---|---|---|',
    row('PII leaks', String(scores.piiLeaks), `${counts.pii.requestsWithLeaks} request(s)`, target('piiLeaks')),
    row(
      'Replies giving something away',
      String(scores.outputLeaks),
      `of ${output.checked} checked`,
      target('outputLeaks'),
    ),
    '',
  ];
  if (Object.keys(thresholds).length > 0) {
    lines.push(failed.size === 0 ? 'Gate: passed.' : `Gate: failed (${[...failed].join(', ')}).`, '');
  }
  const limit = options.maxFailures ?? 50;
  lines.push(`## Differences (${result.failures.length} requests)`, '');
  if (result.failures.length > 0) {
    lines.push('| request | conversation | what | recorded | new run |', '|---|---|---|---|---|');
    for (const failure of result.failures.slice(0, limit)) {
      for (const problem of failure.problems) {
        const where = `${cell(failure.id)} | ${cell(failure.conversationId)}`;
        lines.push(`| ${where} | ${problem.kind} | ${cell(problem.recorded)} | ${cell(problem.observed)} |`);
      }
    }
    if (result.failures.length > limit) {
      lines.push('', `… and ${result.failures.length - limit} more requests (see the JSON record).`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
