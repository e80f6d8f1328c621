import type { Redis } from 'ioredis';
import { quoteIdentifier, type Queryable } from '@supportstream/db';
import { toConversationView, type ConversationRow, type ConversationView } from './views.js';

/** Hot conversation status in Redis, written through by the projector after each commit. */
export interface ConversationCache {
  /** Reads the changed conversations from PostgreSQL (after commit) and stores them. */
  refresh(db: Queryable, schema: string, conversationIds: readonly string[]): Promise<void>;
  get(conversationId: string): Promise<ConversationView | undefined>;
  /** Drops entries that could not be refreshed, so a reader falls back to PostgreSQL rather than a stale copy. */
  invalidate(conversationIds: readonly string[]): Promise<void>;
}

export interface RedisConversationCacheOptions {
  readonly prefix?: string;
  /** Entries of quiet conversations expire; a miss falls back to PostgreSQL (default 1 h). */
  readonly ttlSeconds?: number;
}

export function redisConversationCache(redis: Redis, options: RedisConversationCacheOptions = {}): ConversationCache {
  const prefix = options.prefix ?? 'supportstream:conversation:';
  const ttl = options.ttlSeconds ?? 3_600;
  return {
    async refresh(db, schema, conversationIds) {
      if (conversationIds.length === 0) return;
      const result = await db.query<ConversationRow>(`SELECT * FROM ${quoteIdentifier(schema)}.conversations WHERE conversation_id = ANY($1::text[])`, [conversationIds]);
      const pipeline = redis.pipeline();
      for (const row of result.rows) pipeline.set(prefix + row.conversation_id, JSON.stringify(toConversationView(row)), 'EX', ttl);
      await pipeline.exec();
    },
    async invalidate(conversationIds) {
      if (conversationIds.length > 0) await redis.del(...conversationIds.map((id) => prefix + id));
    },
    async get(conversationId) {
      const value = await redis.get(prefix + conversationId);
      return value === null ? undefined : (JSON.parse(value) as ConversationView);
    },
  };
}
