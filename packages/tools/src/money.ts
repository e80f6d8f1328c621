import { InvalidInputError } from '@supportstream/errors';
import { currencyExponent, minorUnitMicros, normalizeCurrency } from './currencies.js';
import { divideRounded, type RoundingMode } from './rounding.js';

/**
 * An exact amount: integer micros (millionths of the currency unit; 49.99 EUR = 49 990 000) and
 * an ISO 4217 code, as in the events' `Money` and the CRM's `*_micros` columns. BigInt only: no
 * value ever passes through floating point. Amounts stay within a signed 64-bit integer (Avro
 * `long`, PostgreSQL `bigint`); anything outside is a `MONEY_OVERFLOW` error.
 */
export interface Money {
  readonly amountMicros: bigint;
  readonly currency: string;
}

/** Money as JSON: micros as a decimal string, since JSON numbers cannot hold every int64 exactly. */
export interface MoneyJson {
  readonly amountMicros: string;
  readonly currency: string;
}

export const MICROS_PER_UNIT = 1_000_000n;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const MAX_TEXT_LENGTH = 64;

function invalid(code: string, message: string, details: Record<string, unknown> = {}): InvalidInputError {
  return new InvalidInputError(code, message, { details });
}

/** Builds a Money; a number must be a safe integer (micros), never a fraction of a unit. */
export function money(amountMicros: bigint | number, currency: string): Money {
  let micros: bigint;
  if (typeof amountMicros === 'bigint') micros = amountMicros;
  else if (Number.isSafeInteger(amountMicros)) micros = BigInt(amountMicros);
  else throw invalid('MONEY_INVALID_AMOUNT', `${amountMicros} is not a whole number of micros; use parseMoney for decimal amounts`, { amountMicros: String(amountMicros) });
  if (micros > INT64_MAX || micros < INT64_MIN) throw invalid('MONEY_OVERFLOW', `${micros} micros is outside the 64-bit range of an amount`, { amountMicros: micros.toString() });
  return Object.freeze({ amountMicros: micros, currency: normalizeCurrency(currency) });
}

export function zeroMoney(currency: string): Money {
  return money(0n, currency);
}

export function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw invalid('MONEY_CURRENCY_MISMATCH', `cannot combine ${a.currency} and ${b.currency} amounts`, { currencies: [a.currency, b.currency] });
  }
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amountMicros + b.amountMicros, a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amountMicros - b.amountMicros, a.currency);
}

/** The sum of the amounts; `currency` gives the result of an empty list and must match every item. */
export function sumMoney(amounts: Iterable<Money>, currency: string): Money {
  let total = zeroMoney(currency);
  for (const amount of amounts) total = addMoney(total, amount);
  return total;
}

export function negateMoney(a: Money): Money {
  return money(-a.amountMicros, a.currency);
}

/** Times a whole number (quantity × unit price). For fractions use `percentOf` or `allocateMoney`. */
export function multiplyMoney(a: Money, factor: bigint | number): Money {
  if (typeof factor === 'number' && !Number.isSafeInteger(factor)) throw invalid('MONEY_INVALID_ARGUMENT', `multiplier ${factor} is not an integer`, { factor: String(factor) });
  return money(a.amountMicros * BigInt(factor), a.currency);
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return a.amountMicros < b.amountMicros ? -1 : a.amountMicros > b.amountMicros ? 1 : 0;
}

export function moneyEquals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amountMicros === b.amountMicros;
}

export function isZero(a: Money): boolean {
  return a.amountMicros === 0n;
}

export function minMoney(a: Money, b: Money): Money {
  return compareMoney(a, b) <= 0 ? a : b;
}

export function maxMoney(a: Money, b: Money): Money {
  return compareMoney(a, b) >= 0 ? a : b;
}

/** Rounds to the currency's minor unit (cents for EUR, whole yen for JPY). */
export function roundMoney(a: Money, mode: RoundingMode = 'half-even'): Money {
  const unit = minorUnitMicros(a.currency);
  return money(divideRounded(a.amountMicros, unit, mode) * unit, a.currency);
}

export interface PercentOptions {
  readonly rounding?: RoundingMode;
  /** Round the result to the currency's minor unit (default) or only to a micro. */
  readonly to?: 'minor' | 'micro';
}

const PLAIN_DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** A decimal written plainly ("12.5", "-3", 15) as digits / 10^scale; no exponent notation. */
function parsePlainDecimal(value: string | number | bigint, what: string): { digits: bigint; scale: bigint } {
  if (typeof value === 'bigint') return { digits: value, scale: 0n };
  // A number is read through its shortest decimal form (0.1 → "0.1"), i.e. the literal it was written as.
  const text = (typeof value === 'number' ? String(value) : value).trim().replace(/%$/, '').trim();
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null || text.length > MAX_TEXT_LENGTH) throw invalid('MONEY_INVALID_ARGUMENT', `${what} "${String(value)}" is not a plain decimal number`, { value: String(value) });
  const fraction = match[3] ?? '';
  const digits = BigInt(`${match[2] ?? '0'}${fraction}`);
  return { digits: match[1] === '-' ? -digits : digits, scale: BigInt(fraction.length) };
}

/** `percent` % of the amount ("12.5", 12.5 or 15n), rounded by `rounding` (half-even by default). */
export function percentOf(a: Money, percent: string | number | bigint, options: PercentOptions = {}): Money {
  const { digits, scale } = parsePlainDecimal(percent, 'percentage');
  const unit = options.to === 'micro' ? 1n : minorUnitMicros(a.currency);
  const quotient = divideRounded(a.amountMicros * digits, 100n * 10n ** scale * unit, options.rounding ?? 'half-even');
  return money(quotient * unit, a.currency);
}

function toWeight(weight: number | bigint): bigint {
  if (typeof weight === 'bigint') return weight;
  if (!Number.isSafeInteger(weight)) throw invalid('MONEY_INVALID_ARGUMENT', `weight ${weight} is not an integer; scale the weights (e.g. 30 and 70, not 0.3 and 0.7)`, { weight: String(weight) });
  return BigInt(weight);
}

/**
 * Splits the amount in proportion to integer weights without losing or inventing a micro: the
 * shares always add up to the amount. Shares are whole minor units when the amount is (else
 * micros); leftover units go one each to the largest remainders, earlier shares first on ties.
 */
export function allocateMoney(a: Money, weights: readonly (number | bigint)[]): Money[] {
  const ratios = weights.map(toWeight);
  if (ratios.length === 0) throw invalid('MONEY_INVALID_ARGUMENT', 'allocation needs at least one weight');
  if (ratios.some((ratio) => ratio < 0n)) throw invalid('MONEY_INVALID_ARGUMENT', 'allocation weights must not be negative');
  const totalWeight = ratios.reduce((sum, ratio) => sum + ratio, 0n);
  if (totalWeight === 0n) throw invalid('MONEY_INVALID_ARGUMENT', 'allocation weights must not all be zero');

  const minor = minorUnitMicros(a.currency);
  const unit = a.amountMicros % minor === 0n ? minor : 1n;
  const negative = a.amountMicros < 0n;
  const units = (negative ? -a.amountMicros : a.amountMicros) / unit;
  const shares = ratios.map((ratio) => (units * ratio) / totalWeight);
  let leftover = units - shares.reduce((sum, share) => sum + share, 0n);
  const byRemainder = ratios
    .map((ratio, index) => ({ index, remainder: (units * ratio) % totalWeight }))
    .sort((x, y) => (x.remainder === y.remainder ? x.index - y.index : x.remainder > y.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    shares[index] = (shares[index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return shares.map((share) => money((negative ? -share : share) * unit, a.currency));
}

/** `parts` shares as equal as possible (10.00 / 3 → 3.34, 3.33, 3.33). */
export function splitMoney(a: Money, parts: number): Money[] {
  if (!Number.isSafeInteger(parts) || parts < 1) throw invalid('MONEY_INVALID_ARGUMENT', `cannot split into ${parts} parts`);
  return allocateMoney(a, Array.from({ length: parts }, () => 1));
}

export interface ParseMoneyOptions {
  /**
   * `minor` (default): at most the currency's decimals ("49.99" EUR, "1500" JPY), for amounts a
   * person states. `micros`: up to six decimals, for sub-cent amounts such as per-token costs.
   * Trailing zeros never count ("49.990" is fine for EUR).
   */
  readonly precision?: 'minor' | 'micros';
}

const GROUP_SEPARATORS = /[\s\u00A0\u202F'’_]/g;

/**
 * Reads a decimal amount: "49.99", "49,99", "1,234.56", "1.234,56", "1 234,56", "-3.5", optionally
 * with the currency code before or after ("49.99 EUR"). A single "." or "," is the decimal point;
 * when both appear, the last one is. A repeated separator groups thousands ("1.234.567").
 */
export function parseMoney(text: string, currency: string, options: ParseMoneyOptions = {}): Money {
  const code = normalizeCurrency(currency);
  const fail = (why: string) => invalid('MONEY_INVALID_AMOUNT', `"${text.slice(0, MAX_TEXT_LENGTH)}" is not an amount of ${code}: ${why}`, { text: text.slice(0, MAX_TEXT_LENGTH) });
  if (text.length > MAX_TEXT_LENGTH) throw fail('too long');
  let body = text.trim();
  const prefix = /^([A-Za-z]{3})\s*([^A-Za-z].*)$/.exec(body);
  const suffix = /^(.*[^A-Za-z\s])\s*([A-Za-z]{3})$/.exec(body);
  const written = prefix?.[1] ?? suffix?.[2];
  if (written !== undefined) {
    if (written.toUpperCase() !== code) throw invalid('MONEY_CURRENCY_MISMATCH', `"${text}" is in ${written.toUpperCase()}, expected ${code}`, { currencies: [written.toUpperCase(), code] });
    body = (prefix?.[2] ?? suffix?.[1] ?? '').trim();
  }
  const signed = /^([+-]?)\s*(.*)$/.exec(body);
  const negative = signed?.[1] === '-';
  body = signed?.[2] ?? '';
  if (!/^\d[\d.,\s\u00A0\u202F'’_]*$/.test(body) || !/\d$/.test(body)) throw fail('expected digits with an optional decimal part');

  const dots = body.split('.').length - 1;
  const commas = body.split(',').length - 1;
  let decimal: '.' | ',' | undefined;
  if (dots > 0 && commas > 0) decimal = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
  else if (dots === 1) decimal = '.';
  else if (commas === 1) decimal = ',';
  if (decimal !== undefined && (decimal === '.' ? dots : commas) > 1) throw fail(`"${decimal}" appears more than once`);

  const cut = decimal === undefined ? body.length : body.lastIndexOf(decimal);
  const integerText = body.slice(0, cut);
  const fraction = decimal === undefined ? '' : body.slice(cut + 1);
  if (!/^\d*$/.test(fraction)) throw fail('unexpected characters after the decimal point');
  const groupChars = new Set(integerText.replace(/\d/g, ''));
  const groups = integerText.replace(GROUP_SEPARATORS, ' ').split(/[ .,]/);
  if (groupChars.size > 1 || (groups.length > 1 && groups.some((group, i) => (i === 0 ? !/^\d{1,3}$/.test(group) : !/^\d{3}$/.test(group))))) {
    throw fail('thousands must be grouped by three with one separator');
  }

  const allowed = options.precision === 'micros' ? 6 : currencyExponent(code);
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > allowed) {
    throw invalid('MONEY_PRECISION', `"${text}" has more decimals than ${code} allows (${allowed})${decimal === ',' && fraction.length === 3 ? '; if "," separates thousands, write the amount without it' : ''}`, {
      text,
      allowed,
    });
  }
  const micros = BigInt(groups.join('')) * MICROS_PER_UNIT + BigInt(significant.padEnd(6, '0'));
  return money(negative ? -micros : micros, code);
}

/** "49.99", "1500" (JPY), "0.000123" (sub-cent amounts keep their digits): exact, "." as the point, no grouping. */
export function formatAmount(a: Money): string {
  const negative = a.amountMicros < 0n;
  const abs = negative ? -a.amountMicros : a.amountMicros;
  const fraction = (abs % MICROS_PER_UNIT).toString().padStart(6, '0');
  const keep = Math.max(currencyExponent(a.currency), fraction.replace(/0+$/, '').length);
  return `${negative ? '-' : ''}${abs / MICROS_PER_UNIT}${keep > 0 ? `.${fraction.slice(0, keep)}` : ''}`;
}

/** "49.99 EUR". */
export function formatMoney(a: Money): string {
  return `${formatAmount(a)} ${a.currency}`;
}

export function moneyToJson(a: Money): MoneyJson {
  return { amountMicros: a.amountMicros.toString(), currency: a.currency };
}

export function moneyFromJson(json: { readonly amountMicros: string | number; readonly currency: string }): Money {
  if (typeof json.amountMicros === 'string' && !/^-?\d{1,20}$/.test(json.amountMicros)) throw invalid('MONEY_INVALID_AMOUNT', `"${json.amountMicros}" is not an integer number of micros`);
  return money(typeof json.amountMicros === 'string' ? BigInt(json.amountMicros) : json.amountMicros, json.currency);
}
