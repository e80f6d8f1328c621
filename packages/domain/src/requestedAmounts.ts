import type { Money } from './contracts.js';

/**
 * Money a customer asks for, read from their own text by fixed rules, so the escalation policy sees
 * it whatever a model made of the message (issue 10: a customer who demands thousands while no CRM
 * record matches must still reach a human).
 *
 * Rules (en, de, fr, es):
 * - An amount is a number written next to a currency: before it (`$4,800`, `EUR 1 200`, `CHF 90`,
 *   `€1.249,99`) or after it (`4.800,50 €`, `1200 euros`, `300 GBP`). A number without a currency is
 *   never money, which is what keeps order numbers, dates, phone numbers, card numbers and
 *   percentages out.
 * - Separators: the last `.` or `,` followed by one or two digits is the decimal separator; every
 *   other `.`, `,`, apostrophe or space groups thousands. A lone separator followed by exactly three
 *   digits therefore groups thousands in every language (`1.249 €` in a German text and `$1,249` in
 *   an English one are both 1249): the currencies read here have two minor digits, so three
 *   decimals would not be a price. These are the rules of the offline provider's extractor
 *   (packages/llm/src/offline/extract.ts), widened to spaces (`1 200`, French and Swiss usage) and
 *   to `k` / thousand / million multipliers (`$4.8k`, which that extractor reads as 4.80), and
 *   stricter on mixed separators (`1,249.999` is no amount here, 1249999 there).
 * - Digits run into the amount from its left (`1001 200 €`, the end of a card number) are not read
 *   as money: nothing tells which digits belong to it.
 * - Arithmetic is on digit strings; no floating point touches an amount.
 *
 * Asked for, not only mentioned: `requestedAmounts` returns the amounts of a text that asks for money
 * (a refund, a reimbursement, compensation, "my $X back"), and none of a text that only mentions a
 * price ("I paid $300 for this speaker, how do I pair it?"). When a text asks, every amount in it
 * counts: which one is asked for is not decided by rules, and the larger one reaching a human is the
 * safe side. For the same reason `pounds` is read as GBP even where a weight is meant.
 */

const CURRENCY_BY_TOKEN: Readonly<Record<string, string>> = {
  '€': 'EUR',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  $: 'USD',
  us$: 'USD',
  usd: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  dolar: 'USD',
  dolares: 'USD',
  '£': 'GBP',
  gbp: 'GBP',
  pound: 'GBP',
  pounds: 'GBP',
  pfund: 'GBP',
  chf: 'CHF',
  franken: 'CHF',
  c$: 'CAD',
  ca$: 'CAD',
  cad: 'CAD',
  a$: 'AUD',
  au$: 'AUD',
  aud: 'AUD',
  '¥': 'JPY',
  jpy: 'JPY',
  yen: 'JPY',
};

/** Tokens that may stand before the number (no words: "euro 20" is not how anyone writes it). */
const SYMBOL_BEFORE = String.raw`US\$|CA\$|AU\$|C\$|A\$|€|\$|£|¥|EUR|USD|GBP|CHF|CAD|AUD|JPY`;
/** Tokens that may follow the number. */
const TOKEN_AFTER = String.raw`${SYMBOL_BEFORE}|euros?|dollars?|d[oó]lar(?:es)?|pounds?|pfund|franken|yen`;

const GROUP = String.raw`[.,'’\u00a0\u202f\u2009 ]`;
const NUMBER = String.raw`\d{1,3}(?:${GROUP}\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;

const MULTIPLIERS: readonly (readonly [RegExp, number])[] = [
  [/^(?:k|tsd\.?|tausend|thousand|mil|mille)$/, 1_000],
  [/^(?:mio\.?|mill?ion(?:s|en|es)?|millón|millones)$/, 1_000_000],
];
const MULTIPLIER = String.raw`k|tsd\.?|tausend|thousand|mille|mil|mio\.?|millions?|millionen|mill[oó]n(?:es)?`;

// Before the number: no letter or digit right before the currency. After the number: no digit,
// no second decimal part, no percent sign (`€20%` is not a price).
const AMOUNT_AFTER_SYMBOL = String.raw`(?<![\p{L}\p{N}])(?<c1>${SYMBOL_BEFORE})\s?(?<n1>${NUMBER})(?:\s?(?<m1>${MULTIPLIER})(?![\p{L}]))?(?![\p{N}]|[.,]\p{N}|\s?%)`;
// The number must not continue a longer token (`#4800 EUR`, `1001-20 €`, `+49 30`), nor follow
// another digit group (`1001 200 €`); the currency must not start a currency-first amount (`4800 $20`).
const AMOUNT_BEFORE_TOKEN = String.raw`(?<![\p{L}\p{N}.,'’#/\-+:_])(?<!\p{N}\s)(?<n2>${NUMBER})(?:\s?(?<m2>${MULTIPLIER}))?\s?(?<c2>${TOKEN_AFTER})(?![\p{L}\p{N}])(?!\s?\p{N})`;
const MONEY = new RegExp(`${AMOUNT_AFTER_SYMBOL}|${AMOUNT_BEFORE_TOKEN}`, 'giu');

/**
 * `4.800,50`, `1,249.99`, `1 200`, `49,99`, `1.249` → micros, exactly (string arithmetic). The last
 * `.` or `,` followed by one or two digits is the decimal separator; the others group thousands and
 * must all be the same one, and not the decimal one (`1,249.999` and `1.000.50` are not amounts).
 */
export function parseAmountMicros(text: string): number | undefined {
  const spaced = text.replace(/\s/gu, ' ').replace(/’/g, "'");
  const decimal = /([.,])(\d{1,2})$/.exec(spaced);
  const wholeText = decimal ? spaced.slice(0, decimal.index) : spaced;
  const separators = new Set(wholeText.replace(/\d/g, ''));
  if (separators.size > 1 || (decimal && separators.has(decimal[1] ?? ''))) return undefined;
  const whole = wholeText.replace(/\D/g, '');
  if (whole.length === 0) return undefined;
  const micros = Number(whole) * 1_000_000 + Number((decimal?.[2] ?? '').padEnd(6, '0'));
  return Number.isSafeInteger(micros) ? micros : undefined;
}

function multiplierOf(word: string | undefined): number {
  if (word === undefined) return 1;
  const normalized = word.toLowerCase();
  return MULTIPLIERS.find(([pattern]) => pattern.test(normalized))?.[1] ?? 1;
}

function currencyOf(token: string): string | undefined {
  return CURRENCY_BY_TOKEN[token.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')];
}

/** Every amount of money written in the text, in order of appearance. */
export function moneyAmounts(text: string): Money[] {
  const found: Money[] = [];
  for (const match of text.matchAll(MONEY)) {
    const groups = match.groups ?? {};
    const number = groups['n1'] ?? groups['n2'];
    const currency = currencyOf(groups['c1'] ?? groups['c2'] ?? '');
    const micros = number === undefined ? undefined : parseAmountMicros(number);
    if (currency === undefined || micros === undefined) continue;
    const amountMicros = micros * multiplierOf(groups['m1'] ?? groups['m2']);
    if (Number.isSafeInteger(amountMicros)) found.push({ amountMicros, currency });
  }
  return found;
}

/** Lower case, no accents, `ß` → `ss`, one space between words: what the cue patterns read. */
function normalizeWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}$€£¥]+/gu, ' ')
    .trim();
}

/**
 * Words by which a customer asks for money, in en, de, fr, es (normalised: no accents). A word
 * matches at its start, so `refund` covers refunded and refunds, `erstatt` Erstattung; `*erstatt`
 * style compounds (Rückerstattung, zurückerstatten) are listed by their own beginning.
 */
const ASKING = new RegExp(
  String.raw`\b(?:${[
    // en
    'refund',
    'reimburs',
    'money back',
    'compensat',
    'charge ?back',
    'repay',
    'pay (?:me|us) back',
    'owe (?:me|us)',
    'return (?:of )?my money',
    'want my money',
    '(?:want|like|have|get|need|expect) (?:it|them|this|that|those|these|the money|my money) back',
    '(?:not|nothing) (?:yet )?(?:on|in|back on) my (?:account|statement|card|bank)',
    'still nothing on my (?:account|statement|card)',
    'reverse (?:the|this|that|both|these|those) (?:charges?|payments?)',
    // de
    'erstatt',
    'ruckerstatt',
    'zuruckerstatt',
    'ruckzahl',
    'zuruckzahl',
    'zuruckgezahl',
    'zuruckuberw',
    'geld zuruck',
    'betrag zuruck',
    'nicht auf meinem konto',
    'mein geld',
    'gutschr',
    'entschadig',
    'schadens?ersatz',
    'ruckbuch',
    // fr
    'rembours',
    'mon argent',
    'indemni',
    'dedommag',
    'rendre mon argent',
    'pas (?:encore )?(?:sur|recu sur) mon compte',
    'toujours rien sur mon compte',
    // es
    'reembols',
    'devolu',
    'devuelv',
    'devuelt',
    'devolver',
    'no (?:aparece|aparecen|esta|estan|ha llegado|han llegado) (?:en|a) mi cuenta',
    'todavia nada en mi cuenta',
    'mi dinero',
    'indemniz',
    'compensaci',
    'reintegr',
  ].join('|')})`,
  'u',
);

/** "my $4,800 back", "300 € zurück": the word after an amount that asks for it. */
const BACK_AFTER_AMOUNT = /^ (?:[\p{L}\p{N}]+ )?(?:back|zuruck)\b/u;

/** Does the text ask for money (a refund, a reimbursement, compensation, an amount back)? */
export function asksForMoney(text: string): boolean {
  const normalized = normalizeWords(text);
  if (ASKING.test(normalized)) return true;
  for (const match of text.matchAll(MONEY)) {
    const after = normalizeWords(text.slice(match.index + match[0].length, match.index + match[0].length + 24));
    if (BACK_AFTER_AMOUNT.test(` ${after}`)) return true;
  }
  return false;
}

/**
 * The amounts a customer asks for: every amount of a text that asks for money, none of a text that
 * only mentions prices. Deterministic and model-independent.
 */
export function requestedAmounts(text: string): Money[] {
  return asksForMoney(text) ? moneyAmounts(text) : [];
}

/** `4800.00 USD`: an amount for people (approval reasons), from its micros without floating point. */
export function formatMoney(money: Money): string {
  const sign = money.amountMicros < 0 ? '-' : '';
  const micros = Math.abs(money.amountMicros);
  const units = Math.floor(micros / 1_000_000);
  const cents = Math.floor((micros % 1_000_000) / 10_000);
  return `${sign}${units}.${String(cents).padStart(2, '0')} ${money.currency}`;
}
