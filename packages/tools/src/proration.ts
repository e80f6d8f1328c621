import { InvalidInputError } from '@supportstream/errors';
import { minorUnitMicros } from './currencies.js';
import { money, type Money } from './money.js';
import { divideRounded, type RoundingMode } from './rounding.js';

export interface ProratableSubscription {
  readonly price: Money;
  /** First day of the paid period, `YYYY-MM-DD`. */
  readonly periodStart: string;
  /** First day after the paid period (exclusive), `YYYY-MM-DD`. */
  readonly periodEnd: string;
}

export interface Proration {
  readonly refund: Money;
  readonly cancelDate: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly totalDays: number;
  readonly usedDays: number;
  readonly unusedDays: number;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (UTC calendar, so no daylight-saving gaps). */
export function epochDay(date: string): number {
  const match = ISO_DATE.exec(date);
  const [year, month, day] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
  const ms = Date.UTC(year, month - 1, day);
  if (match === null || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new InvalidInputError('INVALID_DATE', `"${date}" is not a calendar date (YYYY-MM-DD)`, { details: { date } });
  }
  return ms / DAY_MS;
}

/** The UTC calendar date of an instant, or a `YYYY-MM-DD` string / ISO timestamp as given. */
export function utcDate(value: Date | string): string {
  if (typeof value === 'string' && ISO_DATE.test(value)) {
    epochDay(value);
    return value;
  }
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    throw new InvalidInputError('INVALID_DATE', `"${String(value)}" is not a date (YYYY-MM-DD) or ISO timestamp`, { details: { value: String(value) } });
  }
  return date.toISOString().slice(0, 10);
}

/**
 * The refund for the unused part of a subscription period, cancelled at `cancelAt`.
 * Convention (day-based, UTC calendar days):
 * - the period is [periodStart, periodEnd): `totalDays` = periodEnd − periodStart;
 * - the day of cancellation counts as used (cancelling on the first day uses one day);
 * - refund = price × unusedDays / totalDays, rounded to the currency's minor unit (half-even
 *   by default); cancelling before the period starts refunds all, on/after its end nothing.
 */
export function prorate(subscription: ProratableSubscription, cancelAt: Date | string, options: { readonly rounding?: RoundingMode } = {}): Proration {
  const start = epochDay(subscription.periodStart);
  const end = epochDay(subscription.periodEnd);
  if (end <= start) throw new InvalidInputError('INVALID_PERIOD', `period ${subscription.periodStart} to ${subscription.periodEnd} is empty`, { details: { periodStart: subscription.periodStart, periodEnd: subscription.periodEnd } });
  const cancelDate = utcDate(cancelAt);
  const totalDays = end - start;
  const usedDays = Math.min(totalDays, Math.max(0, epochDay(cancelDate) - start + 1));
  const unusedDays = totalDays - usedDays;
  const unit = minorUnitMicros(subscription.price.currency);
  const refundUnits = divideRounded(subscription.price.amountMicros * BigInt(unusedDays), BigInt(totalDays) * unit, options.rounding ?? 'half-even');
  return {
    refund: money(refundUnits * unit, subscription.price.currency),
    cancelDate,
    periodStart: subscription.periodStart,
    periodEnd: subscription.periodEnd,
    totalDays,
    usedDays,
    unusedDays,
  };
}
