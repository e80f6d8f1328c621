import { ibanChecksumValid, luhnValid as compactLuhnValid } from '@supportstream/privacy';
import { DEFAULT_POLICY, type EscalationPolicy, type Money } from '@supportstream/domain';
import type { PiiKind, SupportTicket } from './dataset.js';

/**
 * Checks of the labels against the text, for whoever adds tickets: an amount label is written in
 * the message; the amount's side of the threshold agrees with the reason amount_over_threshold;
 * card numbers are Luhn-valid test numbers, IBANs have valid check digits and e-mail addresses
 * use reserved domains (so the data is fake but detectable), and the card / iban / email labels
 * agree with what the text contains. Phones, national ids and addresses have no such check.
 */

const CURRENCY_MARKERS: Readonly<Record<string, RegExp>> = {
  EUR: /€|\bEUR\b|\beuros?\b/i,
  USD: /\$|\bUSD\b|\bdollars?\b/i,
  GBP: /£|\bGBP\b|\bpounds?\b/i,
  CHF: /\bCHF\b/,
  JPY: /¥|\bJPY\b|\byen\b/i,
};

/** A number with its separators: `1.249,99`, `1,249.99`, `1 299,00`, `1'250.00`, `80`. */
const NUMBER_RUN = /\d(?:[\d.,' \u00a0\u202f]*\d)?/g;

function toMicros(whole: string, fraction: string): number | undefined {
  if (!/^\d+$/.test(whole) || !/^\d{0,6}$/.test(fraction)) return undefined;
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
}

/** The values a written number can mean: its last `.`/`,` before 1–2 digits as decimal point, or none. */
function readings(run: string): number[] {
  const compact = run.replace(/[' \u00a0\u202f]/g, '');
  const decimal = /[.,](\d{1,2})$/.exec(compact);
  const values = [toMicros(compact.replace(/[.,]/g, ''), '')];
  if (decimal) values.push(toMicros(compact.slice(0, decimal.index).replace(/[.,]/g, ''), decimal[1] ?? ''));
  return values.filter((value): value is number => value !== undefined);
}

/** The amount is written in the text: its number (in some separator convention) and its currency. */
export function amountAppearsInText(amount: Money, text: string): boolean {
  const marker = CURRENCY_MARKERS[amount.currency];
  if (!marker || !marker.test(text)) return false;
  const runs = [...text.matchAll(NUMBER_RUN)].map((match) => match[0].trim());
  // A space may group thousands ("1 299,00") or just separate two numbers ("order 1005 25.00").
  const candidates = runs.flatMap((run) => [run, ...run.split(/[ \u00a0\u202f]+/)]);
  return candidates.some((candidate) => readings(candidate).includes(amount.amountMicros));
}

// The dataset's personal data is checked with the same checksums the platform detects it by;
// the dataset writes them grouped, the checksums take them compact.
export const luhnValid = (digits: string): boolean => compactLuhnValid(digits.replace(/\D/g, ''));

export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/\s/g, '').toUpperCase();
  return /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact) && ibanChecksumValid(compact);
}

const CARD_LIKE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const IBAN_LIKE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const EMAIL = /[\w.+-]+@([\w-]+(?:\.[\w-]+)+)/g;
/** RFC 2606 / 6761 names that can never belong to a real mailbox. */
const RESERVED_DOMAIN = /^(?:(?:[\w-]+\.)*example\.(?:com|org|net)|[\w.-]+\.(?:example|invalid|test))$/i;

function overThreshold(amount: Money, policy: EscalationPolicy): boolean {
  return amount.amountMicros > (policy.refundApprovalThreshold[amount.currency] ?? 0);
}

function amountProblems(ticket: SupportTicket, policy: EscalationPolicy): string[] {
  if (!ticket.amount) return [];
  const problems: string[] = [];
  const written = `amount ${ticket.amount.amountMicros} ${ticket.amount.currency}`;
  if (!amountAppearsInText(ticket.amount, ticket.message)) problems.push(`${written} is not written in the message`);
  if (overThreshold(ticket.amount, policy) !== ticket.escalationReasons.includes('amount_over_threshold')) {
    problems.push(`${written} and the reason amount_over_threshold disagree with the policy's threshold`);
  }
  return problems;
}

function piiProblems(ticket: SupportTicket): string[] {
  const problems: string[] = [];
  const text = ticket.message;
  const labelled = (kind: PiiKind) => ticket.pii.includes(kind);
  const cards = [...text.matchAll(CARD_LIKE)].map((match) => match[0]).filter(luhnValid);
  if (labelled('card') && cards.length === 0) {
    problems.push('pii "card" is labelled but no Luhn-valid number is in the text');
  }
  if (!labelled('card') && cards.length > 0) {
    problems.push('pii "card" is not labelled but the text has a Luhn-valid number');
  }
  const ibans = [...text.matchAll(IBAN_LIKE)].map((match) => match[0]);
  for (const iban of ibans.filter((candidate) => !ibanValid(candidate))) {
    problems.push(`"${iban}" looks like an IBAN but its check digits are wrong`);
  }
  if (labelled('iban') !== ibans.some(ibanValid)) problems.push('pii "iban" disagrees with the IBANs in the text');
  const emails = [...text.matchAll(EMAIL)];
  for (const [address, domain] of emails) {
    if (!RESERVED_DOMAIN.test(domain ?? '')) {
      problems.push(`e-mail ${address} is not at a reserved domain (example.com, .org, .net)`);
    }
  }
  if (labelled('email') !== emails.length > 0) {
    problems.push('pii "email" disagrees with the e-mail addresses in the text');
  }
  return problems;
}

/** Every label problem of the set, as `id: problem`; an empty list means the set is consistent. */
export function lintDataset(tickets: readonly SupportTicket[], policy: EscalationPolicy = DEFAULT_POLICY): string[] {
  return tickets.flatMap((ticket) =>
    [...amountProblems(ticket, policy), ...piiProblems(ticket)].map((problem) => `${ticket.id}: ${problem}`),
  );
}
