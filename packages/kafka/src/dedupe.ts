import type { Redis } from 'ioredis';

/**
 * Remembers which event ids a consumer group has already handled. Checked before a handler runs
 * and written only after it succeeded, so a crash in between means a retry, never a loss.
 */
export interface ProcessedEvents {
  seen(group: string, eventId: string): Promise<boolean>;
  remember(group: string, eventId: string): Promise<void>;
}

/** In-memory twin for unit tests and single-process tools; forgets the oldest ids past `capacity`. */
export function inMemoryProcessedEvents(capacity = 100_000): ProcessedEvents {
  const ids = new Set<string>();
  return {
    seen: (group, eventId) => Promise.resolve(ids.has(`${group}\u0000${eventId}`)),
    remember(group, eventId) {
      const key = `${group}\u0000${eventId}`;
      ids.delete(key);
      ids.add(key);
      if (ids.size > capacity) {
        const oldest = ids.values().next().value;
        if (oldest !== undefined) ids.delete(oldest);
      }
      return Promise.resolve();
    },
  };
}

export interface RedisProcessedEventsOptions {
  readonly redis: Redis;
  /** How long an id is remembered; longer than any redelivery window (default 7 days). */
  readonly ttlSeconds?: number;
  readonly prefix?: string;
}

/** Redis adapter: one key per (group, event id) with a TTL, shared by all replicas of a service. */
export function redisProcessedEvents(options: RedisProcessedEventsOptions): ProcessedEvents {
  const ttl = options.ttlSeconds ?? 7 * 24 * 3600;
  const prefix = options.prefix ?? 'processed';
  const key = (group: string, eventId: string) => `${prefix}:${group}:${eventId}`;
  return {
    async seen(group, eventId) {
      return (await options.redis.exists(key(group, eventId))) === 1;
    },
    async remember(group, eventId) {
      await options.redis.set(key(group, eventId), '1', 'EX', ttl);
    },
  };
}
