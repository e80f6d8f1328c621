import { stackConfig, uniqueName, waitFor } from '@supportstream/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionMemoryContract } from '../../test/sessionMemoryContract.js';
import { redisSessionMemory } from './redisSessionMemory.js';

const redis = new Redis(stackConfig().REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });
const prefixes: string[] = [];

async function keysOf(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await keysOf(prefix);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

function prefix(): string {
  const value = uniqueName('test-session');
  prefixes.push(value);
  return value;
}

sessionMemoryContract('Redis', (limits) => {
  const keyPrefix = prefix();
  return {
    memory: redisSessionMemory({ redis, keyPrefix, ...limits }),
    // Time passes for a key when its remaining TTL shrinks: no sleeping, and Redis still decides.
    async elapse(ms) {
      for (const key of await keysOf(keyPrefix)) {
        const remaining = await redis.pttl(key);
        if (remaining < 0) continue;
        if (remaining - ms <= 0) await redis.del(key);
        else await redis.pexpire(key, remaining - ms);
      }
    },
  };
});

describe('redisSessionMemory', () => {
  it('writes one bounded list per customer with its TTL set', async () => {
    const keyPrefix = prefix();
    const memory = redisSessionMemory({ redis, keyPrefix, maxInteractions: 2, ttlSeconds: 600 });
    for (let n = 0; n < 4; n++) await memory.append('tenant 1', 'c:1', { at: '2025-01-01T00:00:00Z', conversationId: `conv-${n}`, role: 'customer', text: 'hi' });
    const key = `${keyPrefix}:tenant%201:c%3A1`;
    expect(await keysOf(keyPrefix)).toEqual([key]);
    expect(await redis.llen(key)).toBe(2);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('lets Redis itself expire the list', async () => {
    const keyPrefix = prefix();
    const memory = redisSessionMemory({ redis, keyPrefix, ttlSeconds: 1 });
    await memory.append('t', 'c', { at: '2025-01-01T00:00:00Z', conversationId: 'conv', role: 'agent', text: 'done' });
    expect(await memory.recent('t', 'c', 5)).toHaveLength(1);
    await waitFor(async () => (await memory.recent('t', 'c', 5)).length === 0, { timeoutMs: 5_000, description: 'the session to expire' });
  });

  it('skips entries it cannot read instead of failing the agent', async () => {
    const keyPrefix = prefix();
    const memory = redisSessionMemory({ redis, keyPrefix });
    await memory.append('t', 'c', { at: '2025-01-01T00:00:00Z', conversationId: 'conv', role: 'agent', text: 'ok' });
    await redis.lpush(`${keyPrefix}:t:c`, 'not json', JSON.stringify({ at: 'x' }));
    expect((await memory.recent('t', 'c', 5)).map((item) => item.text)).toEqual(['ok']);
  });

  it('forgets by deleting exactly the customer\'s key', async () => {
    const keyPrefix = prefix();
    const memory = redisSessionMemory({ redis, keyPrefix });
    const at = '2025-01-01T00:00:00Z';
    await memory.append('tenant 1', 'c:1', { at, conversationId: 'conv-1', role: 'customer', text: 'my address is …' });
    await memory.append('tenant 1', 'c:2', { at, conversationId: 'conv-2', role: 'customer', text: 'hello' });
    expect(await memory.forget('tenant 1', 'c:1')).toBe(1);
    expect(await keysOf(keyPrefix)).toEqual([`${keyPrefix}:tenant%201:c%3A2`]);
    expect(await memory.forget('tenant 1', 'c:1')).toBe(0);
  });

  it('reports an unreachable Redis as retriable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    try {
      await expect(redisSessionMemory({ redis: dead }).recent('t', 'c', 1)).rejects.toMatchObject({ code: 'SESSION_MEMORY_UNAVAILABLE', retriable: true });
      await expect(redisSessionMemory({ redis: dead }).forget('t', 'c')).rejects.toMatchObject({ code: 'SESSION_MEMORY_UNAVAILABLE', retriable: true });
    } finally {
      dead.disconnect();
    }
  });
});
