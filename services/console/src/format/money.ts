// Money is exact: millionths of the currency unit as an integer (schemas/common/Money.avsc).
// Amounts are split into units and micros with BigInt and handed to Intl.NumberFormat as a
// decimal string, which it formats exactly; no floating-point number is ever made from them.
import type { Money } from '../api/types.js';

const MICROS_PER_UNIT = 1_000_000n;
const INTEGER = /^-?\d{1,30}$/;

/** The micros as a BigInt, or undefined when they are not an exact integer. */
export function microsOf(value: Money['amountMicros'] | bigint): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  return INTEGER.test(value) ? BigInt(value) : undefined;
}

/** `49990000` → `"49.99"`, `-1250000` → `"-1.25"`, `5` → `"0.000005"`: exact, trailing zeros dropped. */
export function microsToDecimal(micros: bigint): string {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const units = magnitude / MICROS_PER_UNIT;
  const fraction = (magnitude % MICROS_PER_UNIT).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${units}${fraction === '' ? '' : `.${fraction}`}`;
}

function currencyDigits(currency: string, locale: string | undefined): number | undefined {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return undefined;
  }
}

/**
 * The amount in the viewer's locale (`locale` undefined) or the given one: `€49.99`, `49,99 €`,
 * `¥1,000`. It keeps the currency's usual decimals and shows more only when the amount has them
 * (`€0.000005`), so an approval never shows a rounded amount. An unknown currency code is shown
 * after the number; an amount that is not an exact integer of micros is reported as such.
 */
export function formatMoney(money: Money, locale?: string): string {
  const micros = microsOf(money.amountMicros);
  if (micros === undefined) return `invalid amount (${String(money.amountMicros)} micros ${money.currency})`;
  const decimal = microsToDecimal(micros);
  const needed = decimal.includes('.') ? decimal.length - decimal.indexOf('.') - 1 : 0;
  const digits = currencyDigits(money.currency, locale);
  if (digits === undefined) {
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: needed, maximumFractionDigits: needed }).format(decimal as unknown as number)} ${money.currency}`;
  }
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency, minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, needed) });
  // Intl.NumberFormat formats a decimal string exactly (ECMA-402 "Intl mathematical value").
  return format.format(decimal as unknown as number);
}
