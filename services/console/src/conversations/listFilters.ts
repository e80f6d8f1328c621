// The conversation list's filters: in the URL (?status=&customer=&range= or ?from=&to=) so reload and
// back keep them, and as the gateway's query (from/to as ISO times bounding the last activity).

export const TIME_RANGES = ['any', '1h', '24h', '7d', 'custom'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

export const RANGE_LABELS: Record<TimeRange, string> = { any: 'Any time', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', custom: 'Between…' };
const RANGE_MS: Record<'1h' | '24h' | '7d', number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

export interface ListFilters {
  readonly status: string | null;
  readonly customerId: string;
  readonly range: TimeRange;
  /** ISO times, with range `custom` only; either may be missing (an open end). */
  readonly from: string | null;
  readonly to: string | null;
}

export const NO_FILTERS: ListFilters = { status: null, customerId: '', range: 'any', from: null, to: null };

const isoOrNull = (value: string | null): string | null => {
  if (value === null || value.trim() === '') return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
};

/** The filters a URL holds; what does not parse is left out. */
export function filtersFromParams(params: URLSearchParams): ListFilters {
  const rangeParam = params.get('range');
  const from = isoOrNull(params.get('from'));
  const to = isoOrNull(params.get('to'));
  const relative = rangeParam === '1h' || rangeParam === '24h' || rangeParam === '7d' ? rangeParam : undefined;
  const range: TimeRange = relative ?? (from !== null || to !== null ? 'custom' : 'any');
  return { status: params.get('status') || null, customerId: params.get('customer') ?? '', range, from: range === 'custom' ? from : null, to: range === 'custom' ? to : null };
}

/** The URL's search params of some filters (only what is set). */
export function filtersToParams(filters: ListFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status !== null) params.set('status', filters.status);
  if (filters.customerId.trim() !== '') params.set('customer', filters.customerId.trim());
  if (filters.range === 'custom') {
    if (filters.from !== null) params.set('from', filters.from);
    if (filters.to !== null) params.set('to', filters.to);
  } else if (filters.range !== 'any') params.set('range', filters.range);
  return params;
}

/** GET /v1/conversations's query for the filters; a relative range ends now (`now`, ms). */
export function listQuery(filters: ListFilters, now: number): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.status !== null) query.set('status', filters.status);
  if (filters.customerId.trim() !== '') query.set('customerId', filters.customerId.trim());
  if (filters.range === 'custom') {
    if (filters.from !== null) query.set('from', filters.from);
    if (filters.to !== null) query.set('to', filters.to);
  } else if (filters.range !== 'any') query.set('from', new Date(now - RANGE_MS[filters.range]).toISOString());
  return query;
}

const pad = (value: number): string => String(value).padStart(2, '0');

/** An ISO time as a `<input type="datetime-local">` value in the viewer's time zone (`2026-03-01T13:05`). */
export function toLocalInput(iso: string | null): string {
  if (iso === null) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** A datetime-local value (the viewer's local time) as an ISO time; null when empty, undefined when it is no time. */
export function fromLocalInput(value: string): string | null | undefined {
  if (value.trim() === '') return null;
  // A date-time without an offset is local time (ECMA-262 Date.parse); the input gives no other form.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
