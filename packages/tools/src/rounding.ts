import { InvalidInputError } from '@supportstream/errors';

/**
 * How a quotient that falls between two representable values is rounded (java.math.RoundingMode):
 * `half-even` (banker's rounding, the default), `half-up` / `half-down` (ties away from / toward
 * zero), `up` / `down` (away from / toward zero), `ceiling` / `floor` (toward +∞ / −∞).
 */
export type RoundingMode = 'half-even' | 'half-up' | 'half-down' | 'up' | 'down' | 'ceiling' | 'floor';

export const ROUNDING_MODES: readonly RoundingMode[] = ['half-even', 'half-up', 'half-down', 'up', 'down', 'ceiling', 'floor'];

/** numerator / denominator, rounded to an integer by `mode`; exact, no floating point. */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode = 'half-even'): bigint {
  if (denominator === 0n) throw new InvalidInputError('MONEY_DIVISION_BY_ZERO', 'division by zero');
  const n = denominator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = n / d; // truncated toward zero
  const remainder = n % d; // has the sign of n
  if (remainder === 0n) return quotient;
  const away = n < 0n ? quotient - 1n : quotient + 1n;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  switch (mode) {
    case 'down':
      return quotient;
    case 'up':
      return away;
    case 'floor':
      return n < 0n ? away : quotient;
    case 'ceiling':
      return n < 0n ? quotient : away;
    case 'half-up':
      return twice >= d ? away : quotient;
    case 'half-down':
      return twice > d ? away : quotient;
    case 'half-even':
      if (twice !== d) return twice > d ? away : quotient;
      return quotient % 2n === 0n ? quotient : away;
  }
}
