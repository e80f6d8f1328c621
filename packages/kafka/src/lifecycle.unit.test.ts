import { ConfigError, TransientError } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import { restartDelayMs } from './consumerLoop.js';
import { isFatalAtStartup } from './lifecycle.js';

describe('start-up', () => {
  it('gives up only on errors no wait can fix: bad configuration and programming errors', () => {
    expect(isFatalAtStartup(new ConfigError('Invalid configuration:\n  - DATABASE_URL: must be a URL'))).toBe(true);
    expect(isFatalAtStartup(new TypeError("Cannot read properties of undefined (reading 'connect')"))).toBe(true);
    expect(isFatalAtStartup(new ReferenceError('x is not defined'))).toBe(true);
    // A dependency that is down, or not there yet, is waited for.
    expect(isFatalAtStartup(new TransientError('DB_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false);
    expect(isFatalAtStartup(Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSNumberOfRetriesExceeded' }))).toBe(false);
    expect(isFatalAtStartup(new Error('Connection is closed.'))).toBe(false);
  });
});

describe('consumer restarts after a crash', () => {
  const delay = { minMs: 1_000, maxMs: 30_000 };

  it('wait twice as long after each consecutive crash, up to the cap', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7].map((crashes) => restartDelayMs(crashes, delay, top))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('are jittered between half and all of the step, so replicas do not restart in step', () => {
    expect(restartDelayMs(3, delay, () => 0)).toBe(2_000);
    expect(restartDelayMs(3, delay, () => 0.5)).toBe(3_000);
    for (let index = 0; index < 100; index += 1) {
      const value = restartDelayMs(10, delay);
      expect(value).toBeGreaterThanOrEqual(15_000);
      expect(value).toBeLessThanOrEqual(30_000);
    }
  });
});
