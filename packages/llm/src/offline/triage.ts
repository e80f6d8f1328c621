import { asksForMoney } from '@supportstream/domain';
import type { Category, Priority, Sentiment, TriageInput, TriageOutput } from '../tasks.js';
import { extractMoney, extractOrderId } from './extract.js';
import { detectLanguage } from './language.js';
import { clamp01, contentWords, cosine, embed, round2, words } from './text.js';
import { CATEGORY_EXEMPLARS, CATEGORY_TERMS, HOW_TO, SENTIMENT, SIGNAL_TERMS, TOPICAL_CATEGORIES, type Signal } from './triageLexicon.js';

/**
 * Offline triage. Category: per category, lexicon hits (1 per word, 1.5 per phrase) plus
 * SIMILARITY_WEIGHT × the best cosine similarity between the message's hashed-trigram vector and
 * the category's exemplars; below MIN_SCORE the category is `other`. Confidence grows with the
 * margin between the best and the second-best score and with the best score's strength.
 */

const SIMILARITY_WEIGHT = 3;
const MIN_SCORE = 1;

export function triage(input: TriageInput): TriageOutput {
  const text = input.subject ? `${input.subject}\n${input.message}` : input.message;
  const signals = detectSignals(text, input.history);
  const { category, confidence } = withRefundPrecedence(categorize(text), text, signals);
  const sentiment = detectSentiment(text, signals);
  const money = extractMoney(text)[0];
  // The money asked back, even in a legal threat ("get my $640 back or my lawyer…").
  const refundAmount = money !== undefined && (signals.includes('refund_request') || category === 'refund' || asksForMoney(text)) ? money : null;
  return {
    category,
    priority: decidePriority({ signals, sentiment, tier: input.customerTier, category, howTo: HOW_TO.find(text).length > 0 }),
    sentiment,
    language: detectLanguage(input.message),
    intent: decideIntent(category, signals, text),
    confidence,
    signals,
    refundAmount,
    orderId: extractOrderId(text),
  };
}

export function categoryScores(text: string): Record<Exclude<Category, 'other'>, number> {
  const vector = embed(text);
  const scores = {} as Record<Exclude<Category, 'other'>, number>;
  for (const category of TOPICAL_CATEGORIES) {
    const lexical = CATEGORY_TERMS[category].find(text).reduce((sum, term) => sum + (term.includes(' ') ? 1.5 : 1), 0);
    const similarity = Math.max(0, ...CATEGORY_EXEMPLARS[category].map((exemplar) => cosine(vector, exemplar)));
    scores[category] = lexical + SIMILARITY_WEIGHT * similarity;
  }
  return scores;
}

/**
 * Words that refer to something without saying what ("the thing from before, same as last
 * time"): a message made only of them and stopwords has no request a reader could act on.
 */
const VAGUE = new Set(
  ('thing things stuff something anything everything before last time same again also just still yet back then now ' +
    'want wanted need needed help sorted done like way one ones kind sort also really please')
    .split(' '),
);

function categorize(text: string): { category: Category; confidence: number } {
  const meaningful = contentWords(text);
  if (meaningful.length > 0 && meaningful.every((word) => VAGUE.has(word))) return { category: 'other', confidence: 0.2 };
  const ranked = Object.entries(categoryScores(text)).sort(([, a], [, b]) => b - a) as [Category, number][];
  const [bestCategory, best] = ranked[0] ?? ['other', 0];
  const second = ranked[1]?.[1] ?? 0;
  if (best < MIN_SCORE) return { category: 'other', confidence: 0.3 };
  const margin = (best - second) / best;
  const strength = Math.min(1, best / 3);
  return { category: bestCategory, confidence: round2(clamp01(0.3 + 0.65 * margin * strength)) };
}

/**
 * The order a support team routes in: a legal matter stays legal; otherwise a customer who asks
 * for money back (a refund, a reimbursement, "my $80 back", "erstatten", "rembourser") is a refund,
 * whatever the topic the money came from (a delivery fee, a duplicate charge, a returned parcel).
 */
function withRefundPrecedence(decided: { category: Category; confidence: number }, text: string, signals: readonly Signal[]): { category: Category; confidence: number } {
  if (decided.category === 'refund' || decided.category === 'legal' || signals.includes('legal_threat')) return decided;
  if (!asksForMoney(text)) return decided;
  return { category: 'refund', confidence: Math.max(decided.confidence, 0.6) };
}

/** "without closing my account", "sans fermer mon compte": a negation and the few words after it. */
const NEGATED_CLAUSE = /(?:^| )(?:without|sans|ohne|sin)(?: [\p{L}\p{N}]+){1,4}/gu;

function detectSignals(text: string, history: readonly string[]): Signal[] {
  // What the customer says they do not want is no request: "cancel the plan without closing my account".
  const affirmed = words(text).join(' ').replace(NEGATED_CLAUSE, ' ');
  const signals = (Object.keys(SIGNAL_TERMS) as Signal[]).filter((signal) => SIGNAL_TERMS[signal].find(signal === 'account_closure' ? affirmed : text).length > 0);
  if (history.length >= 2 && !signals.includes('repeat_contact')) signals.push('repeat_contact');
  return signals;
}

function detectSentiment(text: string, signals: readonly Signal[]): Sentiment {
  const negated = SENTIMENT.negatedPositive.find(text).length;
  const negative = SENTIMENT.negative.find(text).length + negated;
  const positive = Math.max(0, SENTIMENT.positive.find(text).length - negated);
  if (signals.includes('legal_threat') || signals.includes('chargeback_threat') || negative > positive) return 'negative';
  return positive > negative ? 'positive' : 'neutral';
}

interface PriorityFacts {
  readonly signals: readonly Signal[];
  readonly sentiment: Sentiment;
  readonly tier: TriageInput['customerTier'];
  readonly category: Category;
  readonly howTo: boolean;
}

/**
 * urgent: a legal or chargeback threat, or an urgent VIP. high: urgency words, an account
 * closure, a VIP, an unhappy PREMIUM customer, or a repeated unhappy contact. low: a calm how-to
 * or general question from a STANDARD customer. Everything else: normal.
 */
export function decidePriority(facts: PriorityFacts): Priority {
  const has = (signal: Signal) => facts.signals.includes(signal);
  if (has('legal_threat') || has('chargeback_threat') || (has('urgent') && facts.tier === 'VIP')) return 'urgent';
  const unhappy = facts.sentiment === 'negative';
  if (has('urgent') || has('account_closure') || facts.tier === 'VIP' || (unhappy && facts.tier === 'PREMIUM') || (unhappy && has('repeat_contact'))) return 'high';
  const calmQuestion = !unhappy && facts.signals.length === 0 && (facts.howTo || facts.category === 'other');
  return calmQuestion && facts.tier === 'STANDARD' ? 'low' : 'normal';
}

const TRACKING = /\b(where|track|wo ist|wann|noch nicht|nicht angekommen|not arrived|has not arrived|hasnt arrived|not received|never received)\b/i;
const ACCESS = /\b(password|passwort|log ?in|sign in|einlogg|anmeld|locked|gesperrt|mot de passe|contrasena)/i;
const DOUBLE = /\b(twice|double|two times|doppelt|zweimal|overcharg)/i;

function decideIntent(category: Category, signals: readonly Signal[], text: string): string {
  if (signals.includes('legal_threat')) return 'legal_complaint';
  if (signals.includes('account_closure')) return 'close_account';
  if (signals.includes('refund_request')) return 'request_refund';
  if (signals.includes('chargeback_threat')) return 'dispute_charge';
  switch (category) {
    case 'shipping':
      return TRACKING.test(text) ? 'track_order' : 'shipping_issue';
    case 'account':
      return ACCESS.test(text) ? 'account_access' : 'account_change';
    case 'technical':
      return HOW_TO.find(text).length > 0 ? 'how_to' : 'report_problem';
    case 'billing':
      return DOUBLE.test(text) ? 'billing_dispute' : 'billing_question';
    case 'refund':
      return 'request_refund';
    case 'legal':
      return 'legal_inquiry';
    case 'other':
      return 'general_inquiry';
  }
}
