import { describe, expect, it } from 'vitest';
import { assessRisk, DEFAULT_POLICY, PROMPT_INJECTION, type RiskInput } from './policy.js';
import { afterEscalation, afterModeration, afterQuality } from './routing.js';

const base: RiskInput = {
  tier: 'STANDARD',
  triage: { category: 'shipping', priority: 'normal', sentiment: 'neutral', language: 'en', intent: 'track_order', confidence: 0.9, signals: [], refundAmount: null, orderId: '1002' },
  draft: { reply: 'Your parcel arrives Tuesday.', citations: ['kb-shipping'], confidence: 0.8 },
  review: { score: 0.9, issues: [], verdict: 'pass' },
  actions: [],
  requestText: 'Where is my parcel for order 1002?',
  moderation: { verdict: 'allow', categories: [], reason: '' },
};
const refund = (amountMicros: number, currency = 'EUR') => [{ kind: 'refund', description: 'refund', amount: { amountMicros, currency }, parameters: {} }];

describe('escalation policy', () => {
  it('given a confident, passing answer with no risky action, when assessed, then it goes out', () => {
    expect(assessRisk(base)).toEqual({ escalate: false, reasons: [], risk: 'LOW', riskScore: 0 });
  });

  it.each([
    ['a refund above the threshold', { ...base, actions: refund(25_000_001) }, 'refund above the approval threshold', 'HIGH'],
    ['a legal threat', { ...base, triage: { ...base.triage, signals: ['legal_threat'] } }, 'legal threat', 'CRITICAL'],
    ['an account closure', { ...base, triage: { ...base.triage, signals: ['account_closure'] } }, 'account closure', 'HIGH'],
    ['an unhappy VIP', { ...base, tier: 'VIP' as const, triage: { ...base.triage, sentiment: 'negative' as const } }, 'VIP customer', 'MEDIUM'],
    ['low confidence', { ...base, draft: { ...base.draft, confidence: 0.2 } }, 'low confidence (0.20)', 'MEDIUM'],
    ['an unclassifiable request', { ...base, triage: { ...base.triage, confidence: 0.1 } }, 'unclear request (triage confidence 0.10)', 'MEDIUM'],
    ['a refund in a currency without a threshold', { ...base, actions: refund(1, 'JPY') }, 'refund above the approval threshold', 'HIGH'],
  ])('given %s, when assessed, then it escalates', (_name, input, reason, risk) => {
    const assessment = assessRisk(input);
    expect(assessment.escalate).toBe(true);
    expect(assessment.reasons).toContain(reason);
    expect(assessment.risk).toBe(risk);
  });

  it('answers a loosely classified question when the answer itself is confident', () => {
    expect(assessRisk({ ...base, triage: { ...base.triage, confidence: 0.4 } }).escalate).toBe(false);
  });

  it('lets a refund at exactly the threshold through', () => {
    expect(assessRisk({ ...base, actions: refund(25_000_000) }).escalate).toBe(false);
  });
});

describe('escalation policy: money the customer asks for', () => {
  const asking = (requestText: string): RiskInput => ({ ...base, triage: { ...base.triage, category: 'refund' }, requestText });

  it('given 4,800 USD asked for and no matching record (no refund action), when assessed, then it escalates with the reason', () => {
    const assessment = assessRisk(asking('I want my $4,800 back, the CRM says nothing but I paid it.'));
    expect(assessment.escalate).toBe(true);
    expect(assessment.reasons).toEqual(['amount asked for above the approval threshold (4800.00 USD)']);
    expect(assessment.risk).toBe('HIGH');
    expect(assessment.riskScore).toBe(0.75);
  });

  it('given 20 USD asked for, when assessed, then it goes out', () => {
    expect(assessRisk(asking('Please refund the $20 delivery fee.'))).toEqual({ escalate: false, reasons: [], risk: 'LOW', riskScore: 0 });
  });

  it('given a tool refund over the threshold and a small amount asked for, when assessed, then the tool refund still escalates', () => {
    const assessment = assessRisk({ ...asking('Please refund the $20 delivery fee.'), actions: refund(129_000_000) });
    expect(assessment.reasons).toEqual(['refund above the approval threshold']);
  });

  it('given both over the threshold, when assessed, then both reasons are given', () => {
    const assessment = assessRisk({ ...asking('Rückerstattung von 1.249,99 € bitte'), actions: refund(129_000_000) });
    expect(assessment.reasons).toEqual(['refund above the approval threshold', 'amount asked for above the approval threshold (1249.99 EUR)']);
  });

  it.each([
    ['exactly the threshold', 'Please refund 25.00 EUR.', false],
    ['one cent over it', 'Please refund 25,01 €.', true],
    ['the GBP threshold (20)', 'I would like a refund of £21.', true],
    ['a currency without a threshold', 'Can you reimburse the CHF 18?', true],
    ['a price only mentioned, nothing asked', 'I paid $300 for this speaker, how do I pair it with my phone?', false],
    ['an order number and a date, no money', 'Refund order 4800 from 12.03.2026 please.', false],
  ])('given %s, when assessed, then escalate is %s', (_name, requestText, escalate) => {
    expect(assessRisk(asking(requestText)).escalate).toBe(escalate);
  });

  it('lists each amount over the threshold once, per currency', () => {
    const assessment = assessRisk(asking('Refund the €300 and the other €300 and the $50, and the £5 too.'));
    expect(assessment.reasons).toEqual(['amount asked for above the approval threshold (300.00 EUR, 50.00 USD)']);
  });

  it('uses the thresholds of the policy it is given', () => {
    const strict = { ...DEFAULT_POLICY, refundApprovalThreshold: { USD: 10_000_000 } };
    expect(assessRisk(asking('Please refund the $20 delivery fee.'), strict).escalate).toBe(true);
  });
});

describe('escalation policy: prompt injection', () => {
  const flagged = { verdict: 'allow' as const, categories: [PROMPT_INJECTION], reason: 'matched instruction_override, role_marker' };

  it('given moderation flagged a prompt injection, when assessed, then it escalates with the rules as the reason, however good the answer', () => {
    const assessment = assessRisk({ ...base, moderation: flagged });
    expect(assessment).toEqual({ escalate: true, reasons: ['prompt injection (matched instruction_override, role_marker)'], risk: 'CRITICAL', riskScore: 0.85 });
  });

  it('keeps the reason free of the separator the approval joins reasons with', () => {
    const assessment = assessRisk({ ...base, moderation: { ...flagged, reason: 'a; b' } });
    expect(assessment.reasons[0]).toBe('prompt injection (a, b)');
  });

  it('given moderation found no injection, when assessed, then nothing is added', () => {
    expect(assessRisk({ ...base, moderation: { verdict: 'allow', categories: ['spam'], reason: 'x' } }).escalate).toBe(false);
    expect(assessRisk({ ...base, moderation: null }).escalate).toBe(false);
  });
});

describe('routing', () => {
  const calm = assessRisk(base);
  it('sends blocked messages to the fallback reply', () => {
    expect(afterModeration({ verdict: 'block', categories: ['abuse'], reason: 'x' })).toBe('fallback');
    expect(afterModeration({ verdict: 'allow', categories: [], reason: '' })).toBe('triage');
  });

  it('sends a failed review back to the solution agent until the attempts run out, then escalates', () => {
    const revise = { score: 0.4, issues: ['no citation'], verdict: 'revise' as const };
    const risk = assessRisk({ ...base, review: revise });
    expect(afterQuality(revise, 1, risk, DEFAULT_POLICY)).toBe('solution');
    expect(afterQuality(revise, DEFAULT_POLICY.maxSolutionAttempts, risk, DEFAULT_POLICY)).toBe('escalate');
    expect(afterQuality(base.review, 1, calm, DEFAULT_POLICY)).toBe('respond');
  });

  it('maps approval decisions to respond or hand off, expiry by configuration', () => {
    expect(afterEscalation('APPROVED')).toBe('respond');
    expect(afterEscalation('EDITED')).toBe('respond');
    expect(afterEscalation('REJECTED')).toBe('handoff');
    expect(afterEscalation('EXPIRED')).toBe('handoff');
    expect(afterEscalation('EXPIRED', 'respond_without_actions')).toBe('respond');
  });
});
