import { allSameDigit, luhnValid } from './checksums.js';
import { finding, type PiiFinding } from './findings.js';
import { attachedAfter, attachedBefore } from './textScan.js';

interface Brand {
  readonly name: string;
  readonly prefix: RegExp;
  readonly lengths: readonly number[];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Issuer prefixes and lengths of the networks in use. A number that fits none (a tracking or order
// number starting with 0, 1, 7, 8 or 9, a 14-digit "Visa") is not reported, Luhn or not.
const BRANDS: readonly Brand[] = [
  { name: 'visa', prefix: /^4/, lengths: [13, 16, 19] },
  { name: 'amex', prefix: /^3[47]/, lengths: [15] },
  { name: 'mastercard', prefix: /^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] },
  { name: 'discover', prefix: /^(6011|64[4-9]|65)/, lengths: range(16, 19) },
  { name: 'jcb', prefix: /^35(2[89]|[3-8]\d)/, lengths: range(16, 19) },
  { name: 'diners', prefix: /^3(0[0-5]|[689])/, lengths: range(14, 19) },
  { name: 'unionpay', prefix: /^62/, lengths: range(16, 19) },
  { name: 'maestro', prefix: /^(5[06-9]|6)/, lengths: range(13, 19) },
];

/** The network of a card number (digits only), or undefined when no network issues such a number. */
export function cardBrand(digits: string): string | undefined {
  return BRANDS.find((brand) => brand.prefix.test(digits) && brand.lengths.includes(digits.length))?.name;
}

/** A card number as a whole: 13–19 digits, a known network, Luhn, not one digit repeated. */
export function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19 || allSameDigit(digits)) return false;
  return luhnValid(digits) && cardBrand(digits) !== undefined;
}

interface Group {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
}

// Digits with spaces and dashes between them. One class under one quantifier: no backtracking.
const DIGIT_RUN = /\d[\d -]*/g;
// Inside a run, groups of digits; a separator of more than one character ("  ", " - ") ends a segment.
const GROUP = /\d+/g;

function segmentsOf(run: string, offset: number): Group[][] {
  const segments: Group[][] = [];
  let current: Group[] = [];
  let previousEnd = -1;
  for (const match of run.matchAll(GROUP)) {
    const start = match.index;
    if (previousEnd >= 0 && start - previousEnd > 1) {
      segments.push(current);
      current = [];
    }
    current.push({ start: offset + start, end: offset + start + match[0].length, digits: match[0] });
    previousEnd = start + match[0].length;
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/**
 * The card in a segment: all its groups, or its first groups when more digits follow (an expiry
 * date or a CVV typed after the number). Windows that start inside a segment are not tried: a
 * long grouped number (a tracking number) would offer many windows, some passing Luhn by chance.
 */
function cardInSegment(text: string, segment: readonly Group[]): PiiFinding | undefined {
  const first = segment[0];
  if (first === undefined || attachedBefore(text, first.start) || text[first.start - 1] === '+') return undefined;
  let digits = '';
  const windows: { end: number; digits: string; last: boolean }[] = [];
  for (const [index, group] of segment.entries()) {
    digits += group.digits;
    if (digits.length > 19) break;
    if (digits.length >= 13) windows.push({ end: group.end, digits, last: index === segment.length - 1 });
  }
  for (const window of windows.reverse()) {
    if (window.last && attachedAfter(text, window.end)) continue;
    if (isCardNumber(window.digits)) return finding('card', text, first.start, window.end, cardBrand(window.digits));
  }
  return undefined;
}

/** Payment card numbers, contiguous or grouped with spaces or dashes. */
export function findCards(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    if (match[0].length < 13) continue;
    for (const segment of segmentsOf(match[0], match.index)) {
      const card = cardInSegment(text, segment);
      if (card !== undefined) found.push(card);
    }
  }
  return found;
}
