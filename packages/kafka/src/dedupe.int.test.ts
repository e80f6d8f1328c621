import { stackConfig, uniqueName } from '@supportstream/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { processedEventsContract } from '../test/processedEventsContract.js';
import { redisProcessedEvents } from './dedupe.js';

const prefix = uniqueName('processed-contract');
const redis = new Redis(stackConfig().REDIS_URL);

async function dropKeys(pattern: string): Promise<void> {
  const keys = await redis.keys(pattern);
  if (keys.length > 0) await redis.del(...keys);
}

processedEventsContract({
  name: 'Redis',
  create: () => Promise.resolve(redisProcessedEvents({ redis, prefix, ttlSeconds: 600 })),
  destroy: () => dropKeys(`${prefix}:*`),
});

afterAll(() => {
  redis.disconnect();
});

describe('Redis processed events', () => {
  /** The client, counting the calls that go to Redis (a MULTI ... EXEC pipeline is one round trip). */
  function countingRedis(): { client: Redis; calls: string[] } {
    const calls: string[] = [];
    const client = new Proxy(redis, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(property));
          return (value as (...parameters: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { client, calls };
  }

  it('costs one round trip per lookup and one per write, however many ids', async () => {
    const { client, calls } = countingRedis();
    const store = redisProcessedEvents({ redis: client, prefix: `${prefix}-cost`, ttlSeconds: 600 });
    const ids = Array.from({ length: 200 }, (_, index) => `e-${index}`);
    await store.seenMany('g', ids);
    await store.rememberMany('g', ids);
    await store.rememberMany('g', ['one more']);
    expect(calls).toEqual(['zmscore', 'multi', 'zadd']);
    expect((await store.seenMany('g', ids)).size).toBe(200);
    await dropKeys(`${prefix}-cost:*`);
  });

  it('counts ids older than the TTL as unseen', async () => {
    let now = 1_000_000;
    const store = redisProcessedEvents({ redis, prefix: `${prefix}-ttl`, ttlSeconds: 10, clock: () => now });
    await store.rememberMany('g', ['old']);
    now += 5_000;
    await store.rememberMany('g', ['new']);
    now += 6_000;
    expect(await store.seenMany('g', ['old', 'new'])).toEqual(new Set(['new']));
    await dropKeys(`${prefix}-ttl:*`);
  });
});
