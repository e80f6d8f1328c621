import { InvalidInputError } from '@supportstream/errors';

// ISO 4217 minor units that are not 2. Every other well-formed code is taken to have 2.
const EXPONENT_0 = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const EXPONENT_3 = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const EXPONENT_4 = new Set(['CLF', 'UYW']);

const CODE = /^[A-Z]{3}$/;

/** Upper-cases and checks an ISO 4217-shaped code. */
export function normalizeCurrency(currency: string): string {
  const code = currency.trim().toUpperCase();
  if (!CODE.test(code)) throw new InvalidInputError('MONEY_INVALID_CURRENCY', `"${currency}" is not a currency code (three letters, e.g. EUR)`, { details: { currency } });
  return code;
}

/** Digits after the decimal point in the currency's minor unit: EUR 2, JPY 0, KWD 3. */
export function currencyExponent(currency: string): number {
  const code = normalizeCurrency(currency);
  if (EXPONENT_0.has(code)) return 0;
  if (EXPONENT_3.has(code)) return 3;
  if (EXPONENT_4.has(code)) return 4;
  return 2;
}

/** Micros in one minor unit: EUR 10 000 (a cent), JPY 1 000 000 (a yen), KWD 1 000 (a fils). */
export function minorUnitMicros(currency: string): bigint {
  return 10n ** BigInt(6 - currencyExponent(currency));
}
