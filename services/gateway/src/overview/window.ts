/** The Overview's time windows and the step its series is bucketed to (a few dozen points each). */
export const OVERVIEW_WINDOWS = {
  '1h': { ms: 60 * 60_000, stepMs: 60_000 },
  '6h': { ms: 6 * 60 * 60_000, stepMs: 5 * 60_000 },
  '24h': { ms: 24 * 60 * 60_000, stepMs: 15 * 60_000 },
  '7d': { ms: 7 * 24 * 60 * 60_000, stepMs: 60 * 60_000 },
} as const satisfies Record<string, { readonly ms: number; readonly stepMs: number }>;

export type OverviewWindow = keyof typeof OVERVIEW_WINDOWS;
export const OVERVIEW_WINDOW_NAMES = Object.keys(OVERVIEW_WINDOWS) as [OverviewWindow, ...OverviewWindow[]];
export const DEFAULT_OVERVIEW_WINDOW: OverviewWindow = '1h';

/** What one window covers: [from, to), in `buckets` steps of `stepMs`, the last one holding `now`. */
export interface WindowRange {
  readonly window: OverviewWindow;
  readonly from: Date;
  readonly to: Date;
  readonly stepMs: number;
  readonly buckets: number;
}

/**
 * The range of a window at `now` (pure). Buckets start on multiples of the step since the Unix
 * epoch (every step divides a day, so they are whole UTC minutes, quarters, hours), and the range
 * ends with the bucket `now` falls in: the totals and the series cover exactly the same minutes,
 * and the current minute is counted as soon as its first event is folded.
 */
export function windowRange(window: OverviewWindow, now: Date): WindowRange {
  const { ms, stepMs } = OVERVIEW_WINDOWS[window];
  const to = (Math.floor(now.getTime() / stepMs) + 1) * stepMs;
  return { window, from: new Date(to - ms), to: new Date(to), stepMs, buckets: ms / stepMs };
}

/** The start of every bucket of the range, oldest first. */
export function bucketStarts(range: WindowRange): Date[] {
  return Array.from({ length: range.buckets }, (_, index) => new Date(range.from.getTime() + index * range.stepMs));
}
