/** Small numeric helpers for the benchmark's figures; pure, so they are unit-tested. */

export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Nearest-rank percentile of ascending `sorted` values (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summary of a sample, values rounded to `digits` decimals (milliseconds: 3 = microseconds). */
export function distribution(values: readonly number[], digits = 3): Distribution {
  const sorted = Float64Array.from(values).sort();
  const asArray = Array.from(sorted);
  const sum = asArray.reduce((total, value) => total + value, 0);
  const r = (value: number) => round(value, digits);
  return {
    count: asArray.length,
    min: r(asArray[0] ?? Number.NaN),
    mean: r(asArray.length === 0 ? Number.NaN : sum / asArray.length),
    p50: r(percentile(asArray, 50)),
    p95: r(percentile(asArray, 95)),
    p99: r(percentile(asArray, 99)),
    p999: r(percentile(asArray, 99.9)),
    max: r(asArray[asArray.length - 1] ?? Number.NaN),
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Events per second over `seconds` (0 when no time passed, rather than Infinity). */
export function rate(count: number, seconds: number): number {
  return seconds > 0 ? count / seconds : 0;
}

export const MIB = 1024 * 1024;
