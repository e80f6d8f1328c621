import { describe, expect, it } from 'vitest';
import { boundedCache } from './keyCache.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('boundedCache', () => {
  it('forgets an entry once its time to live has passed', () => {
    const time = clock();
    const cache = boundedCache<string>({ maxEntries: 10, ttlMs: 1_000, now: time.now });
    cache.set('a', 'A');
    time.advance(999);
    expect(cache.get('a')).toBe('A');
    time.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entry when full', () => {
    const cache = boundedCache<number>({ maxEntries: 2, ttlMs: Infinity });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('deletes and clears', () => {
    const cache = boundedCache<number>({ maxEntries: 5, ttlMs: Infinity });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
