import { redisPrefix } from '@supportstream/config';
import { createPool } from '@supportstream/db';
import { createEventCodec, TOPIC_NAMES } from '@supportstream/events';
import { createKafka, dependencyChecks, type ServiceLifecycle } from '@supportstream/kafka';
import { createDependencyMonitor, type DependencyMonitor, type Logger, type Registry } from '@supportstream/observability';
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
  /** Topics, the group and the registry subjects of this namespace (none: today's names). */
  readonly SUPPORTSTREAM_NAMESPACE?: string | undefined;
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
  /** Kafka, PostgreSQL, Redis and the registry, probed for /ready; the consumer reports its group membership there too. */
  readonly dependencies: DependencyMonitor;
  /** Sets up the read model and starts consuming; each step waits for its dependency (never exits because one is down). */
  start(lifecycle: Pick<ServiceLifecycle, 'untilAvailable'>): Promise<void>;
  /** Stops what was started (also in the middle of the start-up). */
  stop(): Promise<void>;
}

/** Builds the projections service (no I/O yet): read models, the cache and live-change notifications. */
export function createProjectionsService(config: ProjectionsServiceConfig, logger: Logger, metrics: Registry, onApplied?: (result: ApplyResult) => void): ProjectionsService {
  const pool = createPool(config.DATABASE_URL, { max: 6, applicationName: 'projections', onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed') });
  const probePool = createPool(config.DATABASE_URL, { max: 1, applicationName: 'projections-health', connectionTimeoutMs: 2_000, onIdleError: () => undefined });
  // Connects in the background and reconnects by itself; a cache write that fails only invalidates.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, keyPrefix: redisPrefix(config.SUPPORTSTREAM_NAMESPACE) });
  let redisDown = false;
  redis.on('error', (error) => {
    if (!redisDown) logger.warn({ err: error }, 'redis connection error; reconnecting');
    redisDown = true;
  });
  redis.on('ready', () => {
    redisDown = false;
  });
  const clientId = config.KAFKA_CLIENT_ID ?? 'projections';
  const kafka = createKafka({ brokers: [...config.KAFKA_BROKERS], clientId, logger, namespace: config.SUPPORTSTREAM_NAMESPACE });
  const dependencies = createDependencyMonitor({
    checks: dependencyChecks({ kafka: { brokers: config.KAFKA_BROKERS, clientId }, postgres: probePool, redis, registryUrl: config.SCHEMA_REGISTRY_URL }),
    registry: metrics,
    logger,
  });
  const topics = config.PROJECTIONS_TOPICS ?? [...TOPIC_NAMES];
  const projector = createProjector({ pool, schema: config.PROJECTIONS_SCHEMA, notifyChannel: config.PROJECTIONS_NOTIFY_CHANNEL ?? CONVERSATION_CHANGES_CHANNEL });
  const cache = redisConversationCache(redis, { ttlSeconds: config.PROJECTIONS_CACHE_TTL_SECONDS });
  const consumer = createProjectionConsumer({
    kafka,
    codec: createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL, namespace: config.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(config, pool, logger) }),
    projector,
    groupId: config.PROJECTIONS_GROUP,
    topics,
    logger,
    metrics,
    dependencies,
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
  return {
    dependencies,
    async start({ untilAvailable }) {
      await untilAvailable('PostgreSQL (read model)', () => ensureReadModel(pool, config.PROJECTIONS_SCHEMA));
      await untilAvailable('Kafka (group offsets)', () => alignGroupOffsets({ kafka, groupId: config.PROJECTIONS_GROUP, topics, projector, logger }));
      await untilAvailable('Kafka (consumer group)', () => consumer.start());
    },
    async stop() {
      await consumer.stop();
      redis.disconnect();
      await Promise.all([pool.end(), probePool.end()]);
    },
  };
}
