import type { ApprovalDecision, ProposedAction } from '@supportstream/domain';
import { isKnownCurrency, parseMoney } from '@supportstream/tools';

/**
 * A reply never promises an action that was not approved. This finds the sentences of a draft
 * that state or commit to a refund, a credit or an account closure ("I have refunded", "we will
 * refund you $80", "your account has been closed", "wir haben Ihnen 49,99 € erstattet", "nous
 * avons remboursé", "hemos reembolsado") in English, German, French and Spanish, and compares them
 * with the run's proposed actions: a promise must match one of them in kind, and in amount when
 * it names one. Offers and policy ("we can look into a refund", "you may be eligible"), questions
 * and negations ("we have not refunded") are not promises.
 *
 * A promise of a proposed action passes even before a supervisor has seen it: the reply and the
 * action go out together, and only once the policy or a supervisor lets them. When an approval was
 * refused or expired, nothing is approved and every promise fails.
 */

export const PROMISED_ACTIONS = ['refund', 'credit', 'account_closure'] as const;
export type PromisedAction = (typeof PROMISED_ACTIONS)[number];

/** An amount as ProposedAction carries it, in micros. */
export interface PromisedAmount {
  readonly amountMicros: bigint;
  readonly currency: string;
}

export interface ActionPromise {
  readonly kind: PromisedAction;
  /** The sentence that makes the promise. */
  readonly sentence: string;
  /** UTF-16 offsets of the promising words in the reply. */
  readonly start: number;
  readonly end: number;
  /** The amount the sentence names, if it names one that can be read exactly. */
  readonly amount: PromisedAmount | null;
}

export type PromiseViolationReason = 'not_proposed' | 'amount_differs' | 'not_approved';

export interface PromiseViolation {
  readonly promise: ActionPromise;
  readonly reason: PromiseViolationReason;
}

export interface PromiseCheckContext {
  readonly actions: readonly ProposedAction[];
  /** The run's approval, if a supervisor was asked; a rejected or expired one approves nothing. */
  readonly approval?: { readonly decision: ApprovalDecision | null } | null | undefined;
}

export interface PromiseCheck {
  readonly ok: boolean;
  readonly promises: readonly ActionPromise[];
  readonly violations: readonly PromiseViolation[];
}

// Word boundaries that know accented letters (\b does not: "remboursé" would never end).
const B = String.raw`(?<![\p{L}\p{N}])`;
const E = String.raw`(?![\p{L}\p{N}])`;
const GAP = (words: number) => String.raw`(?:[^\s.!?]+\s+){0,${words}}?`;
const APOS = `['’]`;

const rule = (source: string) => new RegExp(source, 'giu');

const PATTERNS: Readonly<Record<PromisedAction, readonly RegExp[]>> = {
  refund: [
    // en
    rule(String.raw`${B}(?:we|i)(?:${APOS}ve|\s+have|\s+has)\s+(?:already\s+|now\s+|just\s+)?(?:refunded|reimbursed|(?:issued|processed|initiated|sent|approved)\s+(?:you\s+)?(?:a|the|your)\s+(?:full\s+|partial\s+)?refund)${E}`),
    rule(String.raw`${B}(?:we|i)(?:${APOS}ll|\s+will|\s+shall|\s+are\s+going\s+to|\s+am\s+going\s+to)\s+(?:now\s+|immediately\s+|gladly\s+)?(?:refund|reimburse|(?:issue|process|send|initiate)\s+(?:you\s+)?(?:a|the|your)\s+(?:full\s+|partial\s+)?refund)${E}`),
    rule(String.raw`${B}(?:we|i)(?:${APOS}re|${APOS}m|\s+are|\s+am)\s+(?:now\s+)?(?:refunding|reimbursing|(?:issuing|processing|sending)\s+(?:you\s+)?(?:a|the|your)\s+(?:full\s+|partial\s+)?refund)${E}`),
    rule(String.raw`${B}your\s+(?:full\s+|partial\s+)?refund\s+(?:of\s+[^!?\n]{1,30}?\s+)?(?:has\s+been|was|is\s+being|will\s+be|is)\s+(?:now\s+)?(?:issued|processed|approved|sent|initiated|completed|on\s+its\s+way)${E}`),
    rule(String.raw`${B}(?:a|the)\s+(?:full\s+|partial\s+)?refund\s+(?:of\s+[^!?\n]{1,30}?\s+)?(?:has\s+been|was|will\s+be)\s+(?:issued|processed|approved|sent|initiated)${E}`),
    rule(String.raw`${B}you(?:${APOS}ll|\s+will)\s+(?:receive|get)\s+(?:a|your|the)\s+(?:full\s+|partial\s+)?refund${E}`),
    rule(String.raw`${B}you\s+(?:have\s+been|were|will\s+be)\s+(?:fully\s+)?refunded${E}`),
    // de
    rule(String.raw`${B}(?:wir|ich)\s+(?:haben|habe)\s+${GAP(6)}(?:zurück|rück)?erstattet${E}`),
    rule(String.raw`${B}(?:wir|ich)\s+(?:haben|habe)\s+${GAP(6)}(?:zurücküberwiesen|zurückgezahlt)${E}`),
    rule(String.raw`${B}(?:wir|ich)\s+(?:werden|werde)\s+${GAP(6)}(?:zurück|rück)?erstatten${E}`),
    rule(String.raw`${B}(?:wir|ich)\s+(?:erstatten|erstatte)\s+(?:ihnen|dir|euch)${E}`),
    rule(String.raw`${B}(?:ihre|deine|die)\s+(?:rück)?erstattung\s+${GAP(4)}(?:wurde|wird|ist)\s+${GAP(3)}(?:veranlasst|angewiesen|ausgelöst|bearbeitet|ausgezahlt|überwiesen|durchgeführt|genehmigt)${E}`),
    rule(String.raw`${B}(?:sie|du)\s+(?:erhalten|erhältst|bekommen|bekommst)\s+${GAP(4)}(?:(?:rück)?erstattung|geld\s+zurück)${E}`),
    // fr
    rule(String.raw`${B}(?:nous|je)\s+(?:vous\s+|t${APOS}\s*)?(?:avons|ai)\s+(?:bien\s+|déjà\s+)?(?:remboursée?s?|procédé\s+au\s+remboursement|(?:effectué|émis|validé)\s+(?:le|un|votre)\s+remboursement)${E}`),
    rule(String.raw`${B}(?:nous|je)\s+(?:allons|vais)\s+(?:vous\s+|te\s+)?(?:rembourser|procéder\s+au\s+remboursement)${E}`),
    rule(String.raw`${B}(?:nous|je)\s+(?:vous\s+|te\s+)?(?:rembourserons|rembourserai|remboursons)${E}`),
    rule(String.raw`${B}vous\s+(?:serez|avez\s+été|êtes)\s+(?:intégralement\s+)?remboursée?s?${E}`),
    rule(String.raw`${B}votre\s+remboursement\s+${GAP(3)}(?:a\s+été|est|sera)\s+${GAP(2)}(?:effectué|émis|traité|validé|envoyé|approuvé)${E}`),
    rule(String.raw`${B}vous\s+(?:recevrez|allez\s+recevoir)\s+(?:un|votre|le)\s+remboursement${E}`),
    // es
    rule(String.raw`${B}(?:hemos|he)\s+(?:\S+\s+){0,2}?(?:reembolsado|devuelto\s+(?:el|su|tu)\s+(?:dinero|importe|pago)|(?:procesado|emitido|aprobado)\s+(?:el|su|un|tu)\s+reembolso)${E}`),
    rule(String.raw`${B}(?:vamos|voy)\s+a\s+(?:reembolsar(?:le|te)?|devolver(?:le|te)?\s+(?:el|su|tu)\s+(?:dinero|importe)|procesar\s+(?:el|su|un|tu)\s+reembolso)${E}`),
    rule(String.raw`${B}(?:le|te|les)?\s*(?:reembolsaremos|reembolsaré)${E}`),
    rule(String.raw`${B}(?:su|tu)\s+reembolso\s+${GAP(3)}(?:ha\s+sido|fue|será|está\s+siendo)\s+${GAP(2)}(?:procesado|emitido|aprobado|enviado|realizado)${E}`),
    rule(String.raw`${B}(?:recibirá|recibirás|va\s+a\s+recibir)\s+(?:un|su|el|tu)\s+reembolso${E}`),
    rule(String.raw`${B}(?:ha\s+sido|será)\s+reembolsad[oa]s?${E}`),
  ],
  credit: [
    rule(String.raw`${B}(?:we|i)(?:${APOS}ve|\s+have|${APOS}ll|\s+will|\s+are\s+going\s+to)\s+(?:credited|credit)${E}`),
    rule(String.raw`${B}(?:we|i)(?:${APOS}ve|\s+have|${APOS}ll|\s+will)\s+(?:added|applied|issued|add|apply|issue)\s+(?:you\s+)?(?:an?\s+)?${GAP(3)}(?:credit|voucher|gift\s+card)${E}`),
    rule(String.raw`${B}(?:has|have)\s+been\s+credited${E}`),
    rule(String.raw`${B}(?:a|your|the)\s+${GAP(2)}(?:credit|voucher)\s+(?:of\s+[^!?\n]{1,30}?\s+)?(?:has\s+been|was|will\s+be)\s+(?:added|applied|issued|credited)${E}`),
    rule(String.raw`${B}(?:wurde|wurden|wird|werden|haben|habe)\s+${GAP(6)}gutgeschrieben${E}`),
    rule(String.raw`${B}(?:wir|ich)\s+(?:werden|werde)\s+${GAP(6)}gutschreiben${E}`),
    rule(String.raw`${B}gutschrift\s+${GAP(4)}(?:wurde|wird)\s+${GAP(3)}(?:erstellt|veranlasst|ausgestellt|gebucht)${E}`),
    rule(String.raw`${B}(?:nous|je)\s+(?:vous\s+)?(?:avons|ai|allons|vais)\s+${GAP(2)}(?:crédité|créditer)${E}`),
    rule(String.raw`${B}(?:a\s+été|sera)\s+créditée?s?${E}`),
    rule(String.raw`${B}un\s+avoir\s+${GAP(3)}(?:a\s+été|sera)\s+(?:émis|créé|appliqué)${E}`),
    rule(String.raw`${B}(?:hemos|he|vamos\s+a|voy\s+a|ha\s+sido|será)\s+${GAP(2)}(?:abonado|abonar|acreditado|acreditar)${E}`),
  ],
  account_closure: [
    rule(String.raw`${B}your\s+account\s+(?:has\s+been|was|is\s+now|is|will\s+be)\s+(?:now\s+|permanently\s+)?(?:closed|deleted|deactivated|terminated|cancell?ed|removed)${E}`),
    rule(String.raw`${B}(?:we|i)(?:${APOS}ve|\s+have|${APOS}ll|\s+will|\s+are\s+going\s+to)\s+(?:now\s+|permanently\s+)?(?:closed|close|deleted|delete|deactivated|deactivate|terminated|terminate|cancell?ed|cancel)\s+your\s+account${E}`),
    rule(String.raw`${B}(?:ihr|dein)\s+(?:kunden)?konto\s+(?:wurde|ist|wird)\s+${GAP(3)}(?:geschlossen|gelöscht|deaktiviert|gekündigt|aufgelöst)${E}`),
    rule(String.raw`${B}(?:wir|ich)\s+(?:haben|habe|werden|werde)\s+(?:ihr|dein)\s+(?:kunden)?konto\s+${GAP(3)}(?:geschlossen|gelöscht|deaktiviert|gekündigt|aufgelöst|schließen|löschen|deaktivieren|kündigen|auflösen)${E}`),
    rule(String.raw`${B}votre\s+compte\s+(?:a\s+été|est|sera)\s+${GAP(2)}(?:fermé|clôturé|supprimé|désactivé|résilié)${E}`),
    rule(String.raw`${B}(?:nous|je)\s+(?:avons|ai|allons|vais)\s+${GAP(2)}(?:fermé|clôturé|supprimé|désactivé|fermer|clôturer|supprimer|désactiver)\s+votre\s+compte${E}`),
    rule(String.raw`${B}(?:su|tu)\s+cuenta\s+(?:ha\s+sido|fue|está|será)\s+${GAP(2)}(?:cerrada|eliminada|desactivada|cancelada|dada\s+de\s+baja)${E}`),
    rule(String.raw`${B}(?:hemos|he|vamos\s+a|voy\s+a)\s+${GAP(2)}(?:cerrado|eliminado|desactivado|cerrar|eliminar|desactivar)\s+(?:su|tu)\s+cuenta${E}`),
  ],
};

// A negation inside the promising words, or just before them in the same clause, turns a
// promise into its opposite ("we have not refunded", "no le hemos reembolsado").
const NEGATION = new RegExp(
  String.raw`${B}(?:not|never|no\s+longer|cannot|can${APOS}t|won${APOS}t|haven${APOS}t|hasn${APOS}t|didn${APOS}t|nicht|kein(?:e|en|er)?|nie|niemals|pas|jamais|aucun|no|nunca|ningún|ninguna)${E}`,
  'iu',
);
const NEGATION_LOOKBEHIND = 16;

function negated(sentence: string, start: number, words: string): boolean {
  const before = sentence.slice(Math.max(0, start - NEGATION_LOOKBEHIND), start);
  const clause = before.slice(Math.max(before.lastIndexOf(','), before.lastIndexOf(';'), before.lastIndexOf(':')) + 1);
  return NEGATION.test(`${clause} ${words}`);
}

/** Sentences with their offsets; a question is never a promise. */
function sentences(text: string): { readonly text: string; readonly start: number }[] {
  const found: { text: string; start: number }[] = [];
  // A sentence ends at . ! ? before a space or the end ("49.99" and "e.g." inside go on) or at a line break.
  for (const match of text.matchAll(/(?:[^.!?\n]|[.!?](?=[^\s.!?]))+(?:[.!?]+|\n|$)/g)) {
    if (match[0].trim() !== '') found.push({ text: match[0], start: match.index });
  }
  return found;
}

const SYMBOLS: Readonly<Record<string, string>> = { '€': 'EUR', $: 'USD', '£': 'GBP', '¥': 'JPY', euro: 'EUR', euros: 'EUR', dollar: 'USD', dollars: 'USD', pound: 'GBP', pounds: 'GBP' };
const NUMBER = String.raw`\d{1,3}(?:[.,\s\u00A0\u202F']\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
// Codes in capitals only: "all 20 items" is not 20 Albanian lek.
const CURRENCY = String.raw`€|\$|£|¥|[A-Z]{3}(?![A-Za-z])|[Ee]uros?|[Dd]ollars?|[Pp]ounds?`;
const MONEY = new RegExp(String.raw`(?:(${CURRENCY})\s?(${NUMBER})|(${NUMBER})\s?(${CURRENCY}))`, 'g');

/** The first amount in a sentence that names its currency and reads exactly, or null. */
export function amountIn(sentence: string): PromisedAmount | null {
  for (const match of sentence.matchAll(MONEY)) {
    const [, currencyBefore, numberAfter, numberBefore, currencyAfter] = match;
    const written = currencyBefore ?? currencyAfter ?? '';
    const currency = SYMBOLS[written.toLowerCase()] ?? SYMBOLS[written] ?? written.toUpperCase();
    if (!isKnownCurrency(currency)) continue;
    try {
      // Minor-unit precision: "1,234" EUR is refused as ambiguous rather than read as 1.234.
      const money = parseMoney(numberAfter ?? numberBefore ?? '', currency);
      return { amountMicros: money.amountMicros, currency: money.currency };
    } catch {
      // "1,234" is ambiguous; another amount in the sentence may still read.
    }
  }
  return null;
}

/** Every promise of an action in the reply, in order. */
export function findPromises(reply: string): ActionPromise[] {
  const promises: ActionPromise[] = [];
  for (const sentence of sentences(reply)) {
    if (sentence.text.trimEnd().endsWith('?')) continue;
    for (const kind of PROMISED_ACTIONS) {
      for (const pattern of PATTERNS[kind]) {
        for (const match of sentence.text.matchAll(pattern)) {
          if (negated(sentence.text, match.index, match[0])) continue;
          const start = sentence.start + match.index;
          if (promises.some((promise) => promise.kind === kind && promise.start <= start && start < promise.end)) continue;
          promises.push({ kind, sentence: sentence.text.trim(), start, end: start + match[0].length, amount: amountIn(sentence.text) });
        }
      }
    }
  }
  return promises.sort((a, b) => a.start - b.start);
}

/** The action kinds a promise can be kept by: money credited back is a refund as well. */
const KEPT_BY: Readonly<Record<PromisedAction, readonly string[]>> = {
  refund: ['refund'],
  credit: ['credit', 'refund'],
  account_closure: ['account_closure'],
};

function violationOf(promise: ActionPromise, actions: readonly ProposedAction[]): PromiseViolationReason | null {
  const matching = actions.filter((action) => KEPT_BY[promise.kind].includes(action.kind));
  if (matching.length === 0) return 'not_proposed';
  if (promise.amount === null) return null;
  const { amountMicros, currency } = promise.amount;
  const amounts = matching.flatMap((action) => (action.amount && action.amount.currency === currency ? [BigInt(action.amount.amountMicros)] : []));
  const total = amounts.reduce((sum, amount) => sum + amount, 0n);
  return amounts.includes(amountMicros) || (amounts.length > 1 && total === amountMicros) ? null : 'amount_differs';
}

export function checkPromises(reply: string, context: PromiseCheckContext): PromiseCheck {
  const promises = findPromises(reply);
  const refused = context.approval?.decision === 'REJECTED' || context.approval?.decision === 'EXPIRED';
  const violations = promises.flatMap((promise): PromiseViolation[] => {
    const reason = refused ? 'not_approved' : violationOf(promise, context.actions);
    return reason === null ? [] : [{ promise, reason }];
  });
  return { ok: violations.length === 0, promises, violations };
}

const LABEL: Readonly<Record<PromisedAction, string>> = { refund: 'a refund', credit: 'a credit', account_closure: 'an account closure' };
const WHY: Readonly<Record<PromiseViolationReason, string>> = {
  not_proposed: 'that is not among the proposed actions',
  amount_differs: 'with an amount that differs from the proposed one',
  not_approved: 'that was not approved',
};

/** Review issues, one per violation, starting with their code as the review's issues do. */
export function promiseIssues(violations: readonly PromiseViolation[]): string[] {
  return violations.map(({ promise, reason }) => {
    const quote = promise.sentence.length > 80 ? `${promise.sentence.slice(0, 79)}…` : promise.sentence;
    return `unapproved_promise: the reply promises ${LABEL[promise.kind]} ${WHY[reason]} ("${quote}")`;
  });
}
