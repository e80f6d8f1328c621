// Money in the Overview is exact: integer micros (millionths of the unit) summed in PostgreSQL as
// numeric, read as text, computed with BigInt; no floating-point number is ever made from it.

const MICROS_PER_UNIT = 1_000_000n;

/** An amount as JSON: the micros as an integer string, and the same amount as an exact decimal. */
export interface MoneyAmount {
  readonly currency: string;
  /** e.g. "49990000". */
  readonly amountMicros: string;
  /** e.g. "49.99": exact, "." as the point, no grouping, no trailing zeros. */
  readonly amount: string;
}

/** `49990000n` → `"49.99"`, `-1250000n` → `"-1.25"`, `5n` → `"0.000005"`, `0n` → `"0"`. */
export function microsToDecimal(micros: bigint): string {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const fraction = (magnitude % MICROS_PER_UNIT).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${magnitude / MICROS_PER_UNIT}${fraction === '' ? '' : `.${fraction}`}`;
}

export function moneyAmount(micros: bigint, currency: string): MoneyAmount {
  return { currency, amountMicros: micros.toString(), amount: microsToDecimal(micros) };
}

/** total / count in whole micros, half to even (no bias when many such figures are added up). */
export function perUnit(total: bigint, count: bigint): bigint {
  if (count <= 0n) throw new RangeError('count must be positive');
  const quotient = total / count;
  const remainder = total % count;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice < count || remainder === 0n) return quotient;
  const away = total < 0n ? quotient - 1n : quotient + 1n;
  if (twice > count) return away;
  return quotient % 2n === 0n ? quotient : away;
}
