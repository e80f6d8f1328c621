import { redisPrefix } from '@supportstream/config';
import { createPool } from '@supportstream/db';
import { createEventCodec, TOPIC_NAMES } from '@supportstream/events';
import { createConsumerRunner, createKafka, createOffsetsReader, dependencyChecks, redisProcessedEvents, type ServiceLifecycle } from '@supportstream/kafka';
import { createDependencyMonitor, type DependencyMonitor, type Logger, type Registry } from '@supportstream/observability';
import { Redis } from 'ioredis';
import { createRollingAggregates, registerRollingGauges } from './aggregates.js';
import type { AnalyticsEnv } from './config.js';
import { createAnalyticsHandlers } from './handlers.js';
import { createKafkaExporter, platformGroups, watchedTopics } from './kafkaExporter.js';
import { createAnalyticsStore } from './store.js';
import { keyVaultFromEnv } from '@supportstream/privacy';

export interface AnalyticsService {
  /** Kafka, PostgreSQL, Redis and the registry, probed for /ready; the consumer reports its group membership there too. */
  readonly dependencies: DependencyMonitor;
  /** Starts the gauges, the consumer and the exporter; waits for Kafka (never exits because it is down). */
  start(lifecycle: Pick<ServiceLifecycle, 'untilAvailable'>): Promise<void>;
  /** Stops what was started (also in the middle of the start-up). */
  stop(): Promise<void>;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Builds the analytics service (no I/O yet): the projector of system.analytics into per-minute
 * buckets, the rolling gauges over them, and the Kafka admin exporter.
 */
export function createAnalyticsService(env: AnalyticsEnv, logger: Logger, metrics: Registry): AnalyticsService {
  const pool = createPool(env.DATABASE_URL, { max: 5, applicationName: 'analytics', onIdleError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed') });
  const probePool = createPool(env.DATABASE_URL, { max: 1, applicationName: 'analytics-health', connectionTimeoutMs: 2_000, onIdleError: () => undefined });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, keyPrefix: redisPrefix(env.SUPPORTSTREAM_NAMESPACE) });
  // Once per outage: ioredis reports every reconnection attempt.
  let redisDown = false;
  redis.on('error', (error) => {
    if (!redisDown) logger.warn({ err: error }, 'Redis connection error; reconnecting');
    redisDown = true;
  });
  redis.on('ready', () => {
    redisDown = false;
  });
  const clientId = env.KAFKA_CLIENT_ID ?? 'analytics';
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId, logger, namespace: env.SUPPORTSTREAM_NAMESPACE });
  const dependencies = createDependencyMonitor({
    checks: dependencyChecks({ kafka: { brokers: env.KAFKA_BROKERS, clientId }, postgres: probePool, redis, registryUrl: env.SCHEMA_REGISTRY_URL }),
    registry: metrics,
    logger,
  });
  const store = createAnalyticsStore(pool);

  const aggregates = createRollingAggregates({ store, logger, refreshMs: env.ANALYTICS_REFRESH_MS });
  registerRollingGauges(metrics, () => aggregates.stats());
  const consumer = createConsumerRunner({
    kafka,
    codec: createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, namespace: env.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(env, pool, logger) }),
    groupId: env.ANALYTICS_GROUP,
    topics: [env.ANALYTICS_TOPIC],
    handlers: createAnalyticsHandlers({ store, metrics }),
    // A fast path only: the event ids stored with the sums are what keeps a count from doubling.
    processedEvents: redisProcessedEvents({ redis, prefix: 'processed' }),
    logger,
    metrics,
    dependencies,
  });
  const reader = createOffsetsReader(kafka);
  const exporter = createKafkaExporter({
    reader,
    registry: metrics,
    logger,
    topics: watchedTopics(TOPIC_NAMES),
    groups: platformGroups(env.ANALYTICS_KAFKA_GROUP_PREFIX, env.ANALYTICS_KAFKA_GROUP_EXCLUDE === '' ? undefined : new RegExp(env.ANALYTICS_KAFKA_GROUP_EXCLUDE)),
    maxGroups: env.ANALYTICS_KAFKA_MAX_GROUPS,
    pollMs: env.ANALYTICS_KAFKA_POLL_MS,
  });

  let pruning: NodeJS.Timeout | undefined;

  return {
    dependencies,
    async start({ untilAvailable }) {
      pruning = setInterval(() => {
        store
          .pruneEventIds(new Date(Date.now() - env.ANALYTICS_EVENT_ID_RETENTION_DAYS * 24 * HOUR_MS))
          .then((count) => {
            if (count > 0) logger.info({ count }, 'forgot folded event ids past the topic retention');
          })
          .catch((error: unknown) => logger.warn({ err: error }, 'pruning folded event ids failed; will retry'));
      }, HOUR_MS);
      pruning.unref();
      await aggregates.refresh().catch((error: unknown) => logger.warn({ err: error }, 'first read of the analytics buckets failed; retrying on the timer'));
      aggregates.start();
      // The exporter polls on its own timer and keeps its gauges through an outage.
      exporter.start();
      await untilAvailable('Kafka (consumer group)', () => consumer.start());
    },
    async stop() {
      clearInterval(pruning);
      exporter.stop();
      aggregates.stop();
      await consumer.stop();
      await reader.close();
      redis.disconnect();
      await Promise.all([pool.end(), probePool.end()]);
    },
  };
}
