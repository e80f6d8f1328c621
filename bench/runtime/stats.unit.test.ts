import { describe, expect, it } from 'vitest';
import { distribution, percentile, rate } from './stats.js';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes an unsorted sample numerically, not as strings', () => {
    const summary = distribution([10, 9, 100, 1, 2]);
    expect(summary).toMatchObject({ count: 5, min: 1, p50: 9, max: 100, mean: 24.4 });
  });

  it('reports no rate rather than Infinity when no time passed', () => {
    expect(rate(10, 0)).toBe(0);
    expect(rate(10, 2)).toBe(5);
  });
});
