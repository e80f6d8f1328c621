// Times in the viewer's locale (`locale` undefined) or a given one.

/** Milliseconds from now until `iso`; negative once it has passed; undefined without a time. */
export function msUntil(iso: string | null | undefined, now: number): number | undefined {
  if (iso === null || iso === undefined) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : at - now;
}

const unit = (locale: string | undefined, name: 'day' | 'hour' | 'minute' | 'second', value: number) =>
  new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);

/**
 * A duration as its two largest units, in the locale: `2 days 3 hr`, `4 min 5 sec`, `4 Min., 5 Sek.`.
 * Seconds are shown only below an hour (a countdown's last stretch).
 */
export function formatDuration(ms: number, locale?: string): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(unit(locale, 'day', days), ...(hours > 0 ? [unit(locale, 'hour', hours)] : []));
  else if (hours > 0) parts.push(unit(locale, 'hour', hours), ...(minutes > 0 ? [unit(locale, 'minute', minutes)] : []));
  else if (minutes > 0) parts.push(unit(locale, 'minute', minutes), unit(locale, 'second', seconds));
  else parts.push(unit(locale, 'second', seconds));
  return new Intl.ListFormat(locale, { style: 'narrow', type: 'unit' }).format(parts);
}

/** `Time left` of an approval: the duration, or `expired` once its time has passed. */
export function formatTimeLeft(expiresAt: string | null, now: number, locale?: string): { readonly text: string; readonly expired: boolean; readonly urgent: boolean } {
  const left = msUntil(expiresAt, now);
  if (left === undefined) return { text: 'no deadline', expired: false, urgent: false };
  if (left <= 0) return { text: 'expired', expired: true, urgent: true };
  return { text: formatDuration(left, locale), expired: false, urgent: left < 5 * 60_000 };
}

/** A date and time, medium length, in the locale and the viewer's time zone (or a given one). */
export function formatDateTime(iso: string | null | undefined, locale?: string, timeZone?: string): string {
  if (iso === null || iso === undefined) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', ...(timeZone === undefined ? {} : { timeZone }) }).format(at);
}
