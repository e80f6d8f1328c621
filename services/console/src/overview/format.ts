// The Overview's figures in the viewer's locale (`locale` undefined) or a given one.
import type { OverviewWindow } from '../api/types.js';
import { formatDuration } from '../format/time.js';

/** 0.5 → `50%`, 1/3 → `33.3%`; null (no conversations) → `—`. */
export function formatPercent(rate: number | null, locale?: string): string {
  if (rate === null) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

export function formatCount(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** Under a minute to a tenth of a second (`2.8 sec`), longer as its two largest units (`4 min 5 sec`); null → `—`. */
export function formatHandlingTime(ms: number | null, locale?: string): string {
  if (ms === null) return '—';
  if (ms < 60_000) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 }).format(ms / 1000);
  return formatDuration(ms, locale);
}

/** How long something has waited: seconds under a minute, whole minutes under an hour (`42 min`), then its two largest units. */
export function formatWait(ms: number, locale?: string): string {
  if (ms >= 3_600_000) return formatDuration(ms, locale);
  const unit = ms >= 60_000 ? 'minute' : 'second';
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(Math.floor(ms / (unit === 'minute' ? 60_000 : 1_000)));
}

/** `1 conversation`, `5 conversations`. */
export function conversations(count: number, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? 'conversation' : 'conversations'}`;
}

/** The axis label of a bucket: its time of day, with the weekday over a week. */
export function formatBucket(iso: string, window: OverviewWindow, locale?: string, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions = window === '7d' ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(locale, { ...options, ...(timeZone === undefined ? {} : { timeZone }) }).format(new Date(iso));
}

export const WINDOW_LABELS: Record<OverviewWindow, { readonly short: string; readonly long: string; readonly step: string }> = {
  '1h': { short: '1 h', long: 'the last hour', step: 'per minute' },
  '6h': { short: '6 h', long: 'the last 6 hours', step: 'per 5 minutes' },
  '24h': { short: '24 h', long: 'the last 24 hours', step: 'per 15 minutes' },
  '7d': { short: '7 d', long: 'the last 7 days', step: 'per hour' },
};
