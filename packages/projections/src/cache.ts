import type { Redis } from 'ioredis';
import type { ConversationView } from './views.js';

/** Hot conversation status in Redis, written through by the projector after each commit. */
export interface ConversationCache {
  /** Stores conversations as the projector committed them (its `ApplyResult.views`, from the write's `RETURNING`): no re-read. */
  store(views: readonly ConversationView[]): Promise<void>;
  get(conversationId: string): Promise<ConversationView | undefined>;
  /** Drops entries that could not be refreshed, so a reader falls back to PostgreSQL rather than a stale copy. */
  invalidate(conversationIds: readonly string[]): Promise<void>;
}

export interface RedisConversationCacheOptions {
  readonly prefix?: string;
  /** Entries of quiet conversations expire; a miss falls back to PostgreSQL (default 1 h). */
  readonly ttlSeconds?: number;
}

/**
 * Batches of several partitions commit a conversation in some order but may reach the cache in
 * another: an entry carries the conversation's event count (it grows with every commit, which the
 * projector serializes per conversation) and an older copy never replaces a newer one.
 */
const STORE_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local stored = tonumber(string.match(current, '^(%d+)|'))
  if stored and stored >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1`;

export function redisConversationCache(redis: Redis, options: RedisConversationCacheOptions = {}): ConversationCache {
  const prefix = options.prefix ?? 'supportstream:conversation:';
  const ttl = options.ttlSeconds ?? 3_600;
  return {
    async store(views) {
      if (views.length === 0) return;
      const pipeline = redis.pipeline();
      for (const view of views) pipeline.eval(STORE_IF_NEWER, 1, prefix + view.conversationId, view.eventCount, JSON.stringify(view), ttl);
      const failed = (await pipeline.exec())?.find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
    },
    async invalidate(conversationIds) {
      if (conversationIds.length > 0) await redis.del(...conversationIds.map((id) => prefix + id));
    },
    async get(conversationId) {
      const value = await redis.get(prefix + conversationId);
      return value === null ? undefined : (JSON.parse(value.slice(value.indexOf('|') + 1)) as ConversationView);
    },
  };
}
