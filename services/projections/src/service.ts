import { createPool } from '@supportstream/db';
import { createEventCodec, TOPIC_NAMES } from '@supportstream/events';
import { createKafka } from '@supportstream/kafka';
import type { Logger, Registry } from '@supportstream/observability';
import {
  alignGroupOffsets,
  CONVERSATION_CHANGES_CHANNEL,
  createProjectionConsumer,
  createProjector,
  ensureReadModel,
  redisConversationCache,
  type ApplyResult,
} from '@supportstream/projections';
import { Redis } from 'ioredis';
import { keyVaultFromEnv, type PrivacyEnv } from '@supportstream/privacy';

export interface ProjectionsServiceConfig extends PrivacyEnv {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CLIENT_ID?: string | undefined;
  readonly DATABASE_URL: string;
  readonly REDIS_URL: string;
  readonly SCHEMA_REGISTRY_URL: string;
  readonly PROJECTIONS_SCHEMA: string;
  readonly PROJECTIONS_GROUP: string;
  readonly PROJECTIONS_CACHE_TTL_SECONDS: number;
  readonly PROJECTIONS_NOTIFY_CHANNEL?: string;
  readonly PROJECTIONS_TOPICS?: readonly string[];
}

export interface ProjectionsService {
  stop(): Promise<void>;
}

/** Builds and starts the projections service: read models, the cache and live-change notifications. */
export async function startProjectionsService(config: ProjectionsServiceConfig, logger: Logger, metrics: Registry, onApplied?: (result: ApplyResult) => void): Promise<ProjectionsService> {
  const pool = createPool(config.DATABASE_URL, { max: 6, applicationName: 'projections', onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed') });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  await redis.connect();
  const kafka = createKafka({ brokers: [...config.KAFKA_BROKERS], clientId: config.KAFKA_CLIENT_ID ?? 'projections', logger });
  const topics = config.PROJECTIONS_TOPICS ?? [...TOPIC_NAMES];
  await ensureReadModel(pool, config.PROJECTIONS_SCHEMA);
  const projector = createProjector({ pool, schema: config.PROJECTIONS_SCHEMA, notifyChannel: config.PROJECTIONS_NOTIFY_CHANNEL ?? CONVERSATION_CHANGES_CHANNEL });
  const cache = redisConversationCache(redis, { ttlSeconds: config.PROJECTIONS_CACHE_TTL_SECONDS });
  await alignGroupOffsets({ kafka, groupId: config.PROJECTIONS_GROUP, topics, projector, logger });
  const consumer = createProjectionConsumer({
    kafka,
    codec: createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL, cipher: keyVaultFromEnv(config, pool, logger) }),
    projector,
    groupId: config.PROJECTIONS_GROUP,
    topics,
    logger,
    metrics,
    deadLetter: true,
    onApplied: async (result) => {
      try {
        // The rows as committed (the write's RETURNING): nothing is read again.
        await cache.store(result.views);
      } catch (error) {
        // The read model is committed; a stale cache entry is the only risk: drop what could not be refreshed.
        const ids = result.conversations.map((entry) => entry.conversationId);
        logger.warn({ err: error, conversations: ids.length }, 'cache refresh failed; invalidating');
        await cache.invalidate(ids).catch((invalidateError: unknown) => logger.error({ err: invalidateError }, 'cache invalidation failed'));
      }
      onApplied?.(result);
    },
  });
  await consumer.start();
  return {
    async stop() {
      await consumer.stop();
      redis.disconnect();
      await pool.end();
    },
  };
}
