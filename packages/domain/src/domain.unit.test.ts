import { describe, expect, it } from 'vitest';
import { assessRisk, DEFAULT_POLICY, type RiskInput } from './policy.js';
import { afterEscalation, afterModeration, afterQuality } from './routing.js';

const base: RiskInput = {
  tier: 'STANDARD',
  triage: { category: 'shipping', priority: 'normal', sentiment: 'neutral', language: 'en', intent: 'track_order', confidence: 0.9, signals: [], refundAmount: null, orderId: '1002' },
  draft: { reply: 'Your parcel arrives Tuesday.', citations: ['kb-shipping'], confidence: 0.8 },
  review: { score: 0.9, issues: [], verdict: 'pass' },
  actions: [],
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
