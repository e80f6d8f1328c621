import type { Redis } from 'ioredis';

/**
 * Remembers which event ids a consumer group has already handled, for consumers whose side effects
 * are not idempotent by themselves. Checked before a handler runs and written only after it
 * succeeded, so a crash in between means a retry, never a loss. Both calls take many ids, so a
 * consumer pays one round trip per batch (seen) and one per flush (remember), not two per message.
 */
export interface ProcessedEvents {
  /** The subset of `eventIds` this group already handled. */
  seenMany(group: string, eventIds: readonly string[]): Promise<ReadonlySet<string>>;
  rememberMany(group: string, eventIds: readonly string[]): Promise<void>;
}

/** In-memory twin for unit tests and single-process tools; forgets the oldest ids past `capacity`. */
export function inMemoryProcessedEvents(capacity = 100_000): ProcessedEvents {
  const ids = new Set<string>();
  const keyOf = (group: string, eventId: string) => `${group}\u0000${eventId}`;
  return {
    seenMany: (group, eventIds) => Promise.resolve(new Set(eventIds.filter((eventId) => ids.has(keyOf(group, eventId))))),
    rememberMany(group, eventIds) {
      for (const eventId of eventIds) {
        const key = keyOf(group, eventId);
        ids.delete(key);
        ids.add(key);
      }
      while (ids.size > capacity) {
        const oldest = ids.values().next().value;
        if (oldest === undefined) break;
        ids.delete(oldest);
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
  /** Expired ids are pruned at most this often per group (default 60 s). */
  readonly pruneEveryMs?: number;
  readonly clock?: () => number;
}

/**
 * Redis adapter, shared by all replicas of a service: one sorted set per group, member = event id,
 * score = when it was remembered. `seenMany` is one ZMSCORE, `rememberMany` one ZADD; ids older
 * than the TTL count as unseen and are pruned now and then (with the key's own expiry, so an
 * abandoned group's set goes away).
 */
export function redisProcessedEvents(options: RedisProcessedEventsOptions): ProcessedEvents {
  const ttlMs = (options.ttlSeconds ?? 7 * 24 * 3600) * 1000;
  const prefix = options.prefix ?? 'processed';
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  const clock = options.clock ?? Date.now;
  const prunedAt = new Map<string, number>();
  const keyOf = (group: string) => `${prefix}:${group}`;
  return {
    async seenMany(group, eventIds) {
      if (eventIds.length === 0) return new Set();
      const scores = await options.redis.zmscore(keyOf(group), ...eventIds);
      const horizon = clock() - ttlMs;
      return new Set(eventIds.filter((_eventId, index) => {
        const score = scores[index];
        return score !== null && score !== undefined && Number(score) >= horizon;
      }));
    },
    async rememberMany(group, eventIds) {
      if (eventIds.length === 0) return;
      const now = clock();
      const key = keyOf(group);
      const members = eventIds.flatMap((eventId) => [now, eventId]);
      if (now - (prunedAt.get(group) ?? 0) < pruneEveryMs) {
        await options.redis.zadd(key, ...members);
        return;
      }
      prunedAt.set(group, now);
      await options.redis.multi().zadd(key, ...members).zremrangebyscore(key, '-inf', `(${now - ttlMs}`).pexpire(key, ttlMs).exec();
    },
  };
}
