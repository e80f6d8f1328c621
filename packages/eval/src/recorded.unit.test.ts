import { describe, expect, it } from 'vitest';
import {
  asTriageCategory,
  sameActions,
  scoreRecorded,
  type HumanLabel,
  type NewRunOutcome,
  type RecordedCase,
  type RecordedRun,
} from './recorded.js';
import {
  checkRecordedGate,
  renderRecordedMarkdown,
  toRecordedJsonRecord,
  type RecordedMeta,
} from './recordedReport.js';

const eur = (units: number) => ({ amountMicros: units * 1_000_000, currency: 'EUR' });
const refund = (units: number) => ({ kind: 'refund', amount: eur(units) });
const closure = { kind: 'account_closure', amount: null };

const newRun = (fields: Partial<NewRunOutcome> = {}): NewRunOutcome => ({
  escalated: false,
  category: 'refund',
  actions: [],
  piiLeaks: 0,
  replyChecked: true,
  outputLeaks: [],
  ...fields,
});
const human = (decision: HumanLabel['decision'], actions: HumanLabel['actions'] = []): HumanLabel => ({
  escalate: true,
  decision,
  actions,
});
const approval: RecordedRun = { end: 'approval', category: 'refund' };
const answered = (category: RecordedRun['category']): RecordedRun => ({ end: 'answered', category });
const entry = (id: string, recorded: RecordedRun, label: HumanLabel | null, observed: NewRunOutcome): RecordedCase => ({
  id,
  conversationId: `conv-${id}`,
  recorded,
  label,
  observed,
});

// One case of each rule; the expected figures are counted by hand below.
const SCENARIO: readonly RecordedCase[] = [
  // A: approved refund of 80, escalated again with the same refund: agrees, exact.
  entry('A', approval, human('APPROVED', [refund(80)]), newRun({ escalated: true, actions: [refund(80)] })),
  // B: approved refund of 80, now answered alone with the same refund: agrees (the human accepted it), exact.
  entry('B', approval, human('EDITED', [refund(80)]), newRun({ actions: [refund(80)] })),
  // C: approved refund of 80, now escalated proposing 79: agrees (a human sees it), not exact.
  entry('C', approval, human('APPROVED', [refund(80)]), newRun({ escalated: true, actions: [refund(79)] })),
  // D: rejected refund, now answered alone proposing a refund again: the rejected action goes out.
  entry('D', approval, human('REJECTED', [refund(20)]), newRun({ actions: [refund(20)] })),
  // E: rejected account closure, now answered alone without proposing it: agrees, though not escalated.
  entry('E', approval, human('REJECTED', [closure]), newRun({ category: 'account' })),
  // F: a rejected reply (no actions), answered alone now: the reply itself was refused.
  entry('F', approval, human('REJECTED'), newRun({ category: 'legal' })),
  // G: expired, escalated again: a label for recall only.
  entry('G', approval, human(null), newRun({ escalated: true })),
  // H: answered alone as recorded, same category.
  entry('H', answered('account'), null, newRun({ category: 'account' })),
  // I: answered alone as recorded, now escalated, another category, and a leak.
  entry('I', answered('other'), null, newRun({ escalated: true, category: 'legal', piiLeaks: 2 })),
  // J: answered alone, no category recorded; its run failed: left out of the agreement.
  entry('J', answered(null), null, newRun({ category: null, replyChecked: false, error: 'CRM unavailable' })),
  // K: awaiting a decision, and a reply giving away the system prompt: no label.
  entry('K', approval, null, newRun({ escalated: true, outputLeaks: ['system_prompt'] })),
  // L: no recorded end.
  entry('L', { end: 'none', category: null }, null, newRun({ category: 'shipping' })),
];

describe('scoreRecorded', () => {
  const result = scoreRecorded(SCENARIO);

  it('given a case of each rule, then the scores are the hand-counted ones', () => {
    expect(result.scores).toEqual({
      // A, C, G escalated again of A–G.
      escalationRecall: 3 / 7,
      // A, B, C, E of the decided A–F.
      decisionAgreement: 4 / 6,
      // A, B of the approved A, B, C.
      amountsExact: 2 / 3,
      newEscalations: 1,
      // H of H, I (J failed).
      agreementWithRecorded: { escalation: 1 / 2, category: 1 / 2 },
      piiLeaks: 2,
      outputLeaks: 1,
    });
  });

  it('given the same cases, then the counts say what each score is over', () => {
    expect(result.counts).toEqual({
      runs: 12,
      humanLabelled: 7,
      byDecision: { APPROVED: 2, EDITED: 1, REJECTED: 3, EXPIRED: 1 },
      answeredAlone: 3,
      awaitingDecision: 1,
      notRecorded: 1,
      failedRuns: 1,
      escalation: { hits: 3, total: 7 },
      decision: { hits: 4, total: 6 },
      amounts: { hits: 2, total: 3 },
      agreement: { escalation: { hits: 1, total: 2 }, category: { hits: 1, total: 2 } },
      pii: { leaks: 2, requestsWithLeaks: 1 },
      output: { checked: 11, leaking: 1 },
    });
  });

  it('given the same cases, then each difference names what the record says and what the new run did', () => {
    const kindsOf = (failure: (typeof result.failures)[number]) => failure.problems.map((problem) => problem.kind);
    const kinds = Object.fromEntries(result.failures.map((failure) => [failure.id, kindsOf(failure)]));
    expect(kinds).toEqual({
      B: ['escalation'],
      C: ['amount'],
      D: ['escalation', 'decision'],
      E: ['escalation'],
      F: ['escalation', 'decision'],
      I: ['new_escalation', 'category', 'pii'],
      J: ['run'],
      K: ['output'],
    });
    const d = result.failures.find((failure) => failure.id === 'D');
    expect(d?.conversationId).toBe('conv-D');
    expect(d?.problems[1]).toEqual({
      kind: 'decision',
      recorded: 'REJECTED refund 20 EUR',
      observed: 'answered automatically, proposing refund 20 EUR',
    });
    expect(result.failures.find((failure) => failure.id === 'C')?.problems[0]).toEqual({
      kind: 'amount',
      recorded: 'refund 80 EUR',
      observed: 'refund 79 EUR',
    });
  });

  it('given no cases of a kind, then its score is null, never a made-up number', () => {
    const none = scoreRecorded([entry('H', answered('account'), null, newRun({ category: 'account' }))]);
    expect(none.scores).toMatchObject({ escalationRecall: null, decisionAgreement: null, amountsExact: null });
    expect(scoreRecorded([]).scores).toEqual({
      escalationRecall: null,
      decisionAgreement: null,
      amountsExact: null,
      newEscalations: 0,
      agreementWithRecorded: { escalation: null, category: null },
      piiLeaks: 0,
      outputLeaks: 0,
    });
  });
});

describe('sameActions and asTriageCategory', () => {
  it('compare kinds and exact amounts in any order; read only real categories', () => {
    expect(sameActions([refund(80), closure], [closure, refund(80)])).toBe(true);
    const usd = { kind: 'refund', amount: { amountMicros: 80_000_000, currency: 'USD' } };
    expect(sameActions([refund(80)], [usd])).toBe(false);
    expect(sameActions([refund(80)], [refund(80), refund(80)])).toBe(false);
    expect(asTriageCategory('legal')).toBe('legal');
    expect(asTriageCategory('[erased]')).toBeNull();
  });
});

describe('the recorded-traffic report', () => {
  const result = scoreRecorded(SCENARIO);
  const meta: RecordedMeta = {
    commit: 'abc123',
    provider: 'offline',
    model: 'heuristic-v1',
    generatedAt: '2026-12-03T12:00:00.000Z',
    source: { from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z', tenant: 'tenant-a' },
    requests: 15,
    erased: 1,
    skipped: 2,
  };

  it('given recall under 1 and a leak, then the gate fails on both, and names them', () => {
    expect(checkRecordedGate(result.scores).map((failure) => failure.metric)).toEqual(['escalationRecall', 'piiLeaks']);
    const clean = { ...result.scores, escalationRecall: 1, piiLeaks: 0 };
    expect(checkRecordedGate(clean)).toEqual([]);
    // No human-labelled request: recall is not shown to hold.
    expect(checkRecordedGate({ ...clean, escalationRecall: null }).map((failure) => failure.metric)).toEqual([
      'escalationRecall',
    ]);
  });

  it('given a result, then the JSON record has the source, the window counts and the scores', () => {
    const record = toRecordedJsonRecord(result, meta, checkRecordedGate(result.scores));
    expect(record).toMatchObject({
      commit: 'abc123',
      provider: 'offline',
      model: 'heuristic-v1',
      generatedAt: meta.generatedAt,
      source: meta.source,
      counts: { requests: 15, erased: 1, skipped: 2, runs: 12, humanLabelled: 7 },
      scores: result.scores,
    });
    expect(record.gate?.map((failure) => failure.metric)).toEqual(['escalationRecall', 'piiLeaks']);
    expect(record.failures).toHaveLength(8);
  });

  it('given a result, then the markdown keeps the human labels apart from the agreement with the recorded run', () => {
    const markdown = renderRecordedMarkdown(result, meta, { thresholds: { escalationRecall: { atLeast: 1 } } });
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Evaluation of recorded traffic: offline (heuristic-v1)');
    expect(lines).toContain('| Escalation recall | 0.429 | 3/7 | ≥ 1 ✗ |');
    expect(lines).toContain('| Decision agreement | 0.667 | 4/6 |  |');
    expect(lines).toContain('## Agreement with the recorded run, not a human label');
    expect(lines).toContain('| Not escalated, as recorded | 0.500 | 1/2 |  |');
    expect(lines).toContain('| New escalations | 1 | of 2 |  |');
    expect(lines).toContain('Gate: failed (escalationRecall).');
    const proposing = 'answered automatically, proposing refund 20 EUR';
    const rejected = `| D | conv-D | decision | REJECTED refund 20 EUR | ${proposing} |`;
    expect(lines).toContain(rejected);
    expect(markdown).toContain('15 request(s): 12 run, 1 erased, 2 skipped (over --limit).');
  });
});
