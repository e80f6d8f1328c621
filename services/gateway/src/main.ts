// Gateway service: the HTTP API (requests, conversations, live streams, approvals) over Kafka and the read models.
import { parseEnv, redisPrefix } from '@supportstream/config';
import { createPool } from '@supportstream/db';
import { createEventCodec, createRegistryClient, TOPIC_NAMES } from '@supportstream/events';
import { createDeadLetterConsole, createEventProducer, createKafka, createOffsetsReader, postgresReplayLedger, startServiceLifecycle } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry } from '@supportstream/observability';
import { openCheckpointHistory } from '@supportstream/pipeline';
import { createReadModel, redisConversationCache } from '@supportstream/projections';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createGatewayApp } from './app.js';
import { createApiKeyStore } from './auth/apiKeys.js';
import { gatewayEnvSchema, settingsFromEnv } from './config.js';
import { createConversationChanges } from './liveChanges.js';
import { createAnalyticsOverview } from './overview/analytics.js';
import { createOperationsSource } from './overview/operations.js';
import { dependencyChecks } from './readiness.js';
import { createSchemaVersionLookup } from './schemaVersions.js';
import { keyVaultFromEnv } from '@supportstream/privacy';

const env = parseEnv(gatewayEnvSchema);
const logger = createLogger({ service: 'gateway', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
const metrics = createMetricsRegistry({ service: 'gateway' });
const pool = createPool(env.DATABASE_URL, { max: 10, applicationName: 'gateway', onIdleError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed') });
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 5_000, keyPrefix: redisPrefix(env.SUPPORTSTREAM_NAMESPACE) });
redis.on('error', (error) => logger.warn({ err: error }, 'Redis connection error'));
const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? 'gateway', logger, namespace: env.SUPPORTSTREAM_NAMESPACE });
const producer = createEventProducer({ kafka, codec: createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, namespace: env.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(env, pool, logger) }), logger, metrics });
// Dead letters are decoded only to read their envelope (tenant, type): no cipher needed. Replays are audited through the producer.
const deadLetters = createDeadLetterConsole({ kafka, codec: createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, namespace: env.SUPPORTSTREAM_NAMESPACE }), ledger: postgresReplayLedger({ pool }), events: producer, logger, producerName: 'gateway' });
// The Overview: analytics tables in the platform database; consumer lag and DLQ sizes through one lazily connected admin client, cached a few seconds.
const offsetsReader = createOffsetsReader(kafka);
const overview = { analytics: createAnalyticsOverview(pool), operations: createOperationsSource({ reader: offsetsReader, topics: TOPIC_NAMES, logger }) };
const changes = createConversationChanges({
  connect: () => new pg.Client({ connectionString: env.DATABASE_URL, application_name: 'gateway-listen', keepAlive: true }),
  channel: env.GATEWAY_NOTIFY_CHANNEL,
  logger,
});
const gateway = createGatewayApp({
  settings: settingsFromEnv(env),
  readModel: createReadModel({ pool, schema: env.GATEWAY_READ_MODEL_SCHEMA, ...(env.GATEWAY_CONVERSATION_CACHE === 'redis' ? { cache: redisConversationCache(redis) } : {}) }),
  producer,
  apiKeys: createApiKeyStore({ db: pool, cacheMs: env.GATEWAY_API_KEY_CACHE_MS, ...(env.GATEWAY_API_KEYS_SCHEMA === undefined ? {} : { schema: env.GATEWAY_API_KEYS_SCHEMA }) }),
  redis,
  changes,
  deadLetters,
  overview,
  checkpoints: openCheckpointHistory(pool),
  // A short timeout: the audit history waits for it on a schema id's first lookup only.
  schemaVersions: createSchemaVersionLookup({ registry: createRegistryClient(env.SCHEMA_REGISTRY_URL, 2_000) }),
  readiness: dependencyChecks({ kafka, pool, redis, schemaRegistryUrl: env.SCHEMA_REGISTRY_URL }),
  readyTimeoutMs: env.GATEWAY_READY_TIMEOUT_MS,
  publishTimeoutMs: env.GATEWAY_PUBLISH_TIMEOUT_MS,
  logger,
  metrics,
});
const port = await gateway.listen(env.GATEWAY_PORT, env.GATEWAY_HOST);
// Listening before Kafka answers: meanwhile /ready says so and publishing requests answer 503; the start-up waits, it does not exit.
const lifecycle = startServiceLifecycle({
  logger,
  metrics,
  stop: async () => {
    await gateway.close();
    await changes.close();
    await deadLetters.close();
    await offsetsReader.close();
    await producer.disconnect();
    redis.disconnect();
    await pool.end();
  },
});
await lifecycle.untilAvailable('Kafka (producer)', () => producer.connect());
lifecycle.started({ host: env.GATEWAY_HOST, port });
