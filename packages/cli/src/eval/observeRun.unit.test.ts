import { reasonCode } from '@supportstream/eval';
import type { SupportStateType } from '@supportstream/graph';
import { describe, expect, it } from 'vitest';
import { blockReasons, observeRun } from './observeRun.js';

type State = Partial<SupportStateType>;

const triageDecision: NonNullable<State['triageDecision']> = {
  category: 'refund',
  priority: 'high',
  sentiment: 'negative',
  language: 'de',
  intent: 'request_refund',
  confidence: 0.8,
  signals: ['refund_request'],
  refundAmount: { amountMicros: 75_000_000, currency: 'EUR' },
  orderId: '1005',
};
const allowed = { verdict: 'allow' as const, categories: [], reason: 'no abusive language aimed at a person' };
const draft = { reply: 'Wir prüfen die Erstattung.', citations: [], confidence: 0.7 };
const risk = (reasons: string[]): State['risk'] => ({ escalate: true, reasons, risk: 'HIGH', riskScore: 0.75 });

describe('observeRun', () => {
  it('given a run that ended with a reply, then it read the triage and answered automatically', () => {
    const state: State = { moderation: allowed, triageDecision, draft, outcome: 'RESOLVED', finalReply: 'Erstattet.' };
    expect(observeRun({ state, paused: false })).toEqual({
      category: 'refund',
      language: 'de',
      moderation: 'allow',
      amount: { amountMicros: 75_000_000, currency: 'EUR' },
      escalated: false,
      escalationReasons: [],
      reply: 'Erstattet.',
    });
  });

  it('given a run paused for approval, then it escalated for the policy reasons; only a proposed reply exists', () => {
    const reasons = ['refund above the approval threshold', 'VIP customer'];
    const state: State = { moderation: allowed, triageDecision, draft, risk: risk(reasons), outcome: null };
    const observed = observeRun({ state, paused: true });

    expect(observed).toMatchObject({ escalated: true, escalationReasons: reasons, proposedReply: draft.reply });
    expect(observed.reply).toBeUndefined();
    expect(observed.escalationReasons.map(reasonCode)).toEqual(['amount_over_threshold', 'vip']);
  });

  it('given a run handed off after a rejection, then it reached a human; the hand-off message went out', () => {
    const handoff = 'A colleague will get back to you.';
    const state: State = { triageDecision, risk: risk(['legal threat']), outcome: 'HANDED_OFF', finalReply: handoff };
    const observed = observeRun({ state, paused: false });
    expect(observed).toMatchObject({ escalated: true, escalationReasons: ['legal threat'], reply: handoff });
  });

  it('given an escalation with no assessment, then the reason says a supervisor was needed', () => {
    const observed = observeRun({ state: { moderation: allowed, triageDecision, outcome: null }, paused: true });
    expect(observed.escalationReasons).toEqual(['needs a supervisor']);
  });

  it('given a moderation flag without a block, then an escalated run reports it as a reason', () => {
    const flagged = { verdict: 'allow' as const, categories: ['prompt_injection'], reason: 'instruction override' };
    const state: State = { moderation: flagged, triageDecision, risk: risk(['low confidence (0.30)']) };
    const observed = observeRun({ state, paused: true });
    expect(observed.escalationReasons).toEqual(['low confidence (0.30)', 'prompt_injection']);
  });

  it('given a blocked message, then no triage ran and the block gives its reason code', () => {
    const blocked = { verdict: 'block' as const, categories: ['threat'], reason: 'threatening language: kill you' };
    const state: State = { moderation: blocked, outcome: 'FALLBACK', finalReply: "Sorry, I can't respond to this." };
    expect(observeRun({ state, paused: false })).toMatchObject({
      category: null,
      language: null,
      amount: null,
      moderation: 'block',
      escalated: false,
      escalationReasons: ['abuse'],
    });
  });

  it('given a run that failed before any step, then it observed nothing: no category, no escalation, no reply', () => {
    expect(observeRun({ state: {}, paused: false })).toEqual({
      category: null,
      language: null,
      moderation: 'allow',
      amount: null,
      escalated: false,
      escalationReasons: [],
    });
  });
});

describe('blockReasons', () => {
  it('passes labelled codes through and reads any other block as abuse', () => {
    const block = (categories: string[], reason = 'blocked') => blockReasons({ verdict: 'block', categories, reason });
    expect(block(['harassment'], 'abuse aimed at a person: idiot')).toEqual(['abuse']);
    expect(block(['prompt_injection'], 'instruction override')).toEqual(['prompt_injection']);
    expect(block(['prompt_injection', 'threat'])).toEqual(['prompt_injection', 'abuse']);
    expect(block([])).toEqual(['abuse']);
  });
});
