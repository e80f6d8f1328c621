import { isPlatformError, TransientError } from '@supportstream/errors';
import type { Redis } from 'ioredis';
import {
  boundedInteraction,
  checkCustomer,
  checkLimit,
  parseStoredInteraction,
  resolveLimits,
  type Interaction,
  type SessionMemory,
  type SessionMemoryLimits,
} from './sessionMemory.js';

export interface RedisSessionMemoryOptions extends SessionMemoryLimits {
  readonly redis: Redis;
  /** Key prefix (default `session`); keys are `<prefix>:<tenant>:<customer>`, both URI-encoded. */
  readonly keyPrefix?: string;
}

/**
 * Redis adapter: one list per (tenant, customer), newest first. An append (of one exchange or
 * several) is LPUSH + LTRIM (the bound) + EXPIRE (the TTL, refreshed on every write) in one MULTI,
 * so the list is never seen untrimmed or without its TTL.
 */
export function redisSessionMemory(options: RedisSessionMemoryOptions): SessionMemory {
  const limits = resolveLimits(options);
  const prefix = options.keyPrefix ?? 'session';
  const { redis } = options;
  const keyOf = (tenantId: string, customerId: string) => `${prefix}:${encodeURIComponent(tenantId)}:${encodeURIComponent(customerId)}`;

  return {
    async recent(tenantId, customerId, limit) {
      checkCustomer(tenantId, customerId);
      checkLimit(limit);
      const count = Math.min(limit, limits.maxInteractions);
      if (count === 0) return [];
      const raw = await unavailableOnError(() => redis.lrange(keyOf(tenantId, customerId), 0, count - 1));
      return raw.map(parseStoredInteraction).filter((item): item is Interaction => item !== undefined);
    },

    async append(tenantId, customerId, ...interactions) {
      checkCustomer(tenantId, customerId);
      if (interactions.length === 0) return;
      // LPUSH of several values pushes them one by one to the head: the last becomes the newest.
      const stored = interactions.map((interaction) => JSON.stringify(boundedInteraction(interaction, limits)));
      const key = keyOf(tenantId, customerId);
      const results = await unavailableOnError(() =>
        redis.multi().lpush(key, ...stored).ltrim(key, 0, limits.maxInteractions - 1).expire(key, limits.ttlSeconds).exec(),
      );
      // exec() answers null only when a WATCHed key changed; none is watched, but do not hide it.
      if (results === null) throw new TransientError('SESSION_MEMORY_UNAVAILABLE', 'Redis aborted the session-memory transaction');
      const failed = results.find(([error]) => error !== null);
      if (failed !== undefined) throw new TransientError('SESSION_MEMORY_UNAVAILABLE', `Redis session-memory write failed: ${failed[0]?.message}`, { cause: failed[0] });
    },

    async forget(tenantId, customerId) {
      checkCustomer(tenantId, customerId);
      // DEL answers how many keys it removed: 0 for a customer never seen or already expired.
      return unavailableOnError(() => redis.del(keyOf(tenantId, customerId)));
    },
  };
}

async function unavailableOnError<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isPlatformError(error)) throw error;
    throw new TransientError('SESSION_MEMORY_UNAVAILABLE', `Redis session memory unavailable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
