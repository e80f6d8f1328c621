// Notifier service: delivers ReplyReady and SupervisorAlert to webhooks (signed, retried, deduplicated).
import { parseEnv, platformEnvSchema, z } from '@supportstream/config';
import { createPool } from '@supportstream/db';
import { createEventCodec } from '@supportstream/events';
import { createConsumerRunner, createKafka, dependencyChecks, startServiceLifecycle } from '@supportstream/kafka';
import { createDependencyMonitor, createLogger, createMetricsRegistry, startMetricsServer } from '@supportstream/observability';
import { createNotifier } from './notifier.js';
import { keyVaultFromEnv } from '@supportstream/privacy';

const env = parseEnv(
  platformEnvSchema.extend({
    NOTIFIER_REPLY_WEBHOOK_URL: z.url().optional(),
    NOTIFIER_ALERT_WEBHOOK_URL: z.url().optional(),
    NOTIFIER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters'),
    NOTIFIER_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    NOTIFIER_RETRIES: z.coerce.number().int().min(0).max(20).default(6),
    NOTIFIER_RETRY_MIN_MS: z.coerce.number().int().min(1).default(500),
    NOTIFIER_RETRY_MAX_MS: z.coerce.number().int().min(1).default(30_000),
  }),
);
const logger = createLogger({ service: 'notifier', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
const metrics = createMetricsRegistry({ service: 'notifier' });
const pool = createPool(env.DATABASE_URL, { max: 5, applicationName: 'notifier', onIdleError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed') });
const probePool = createPool(env.DATABASE_URL, { max: 1, applicationName: 'notifier-health', connectionTimeoutMs: 2_000, onIdleError: () => undefined });
const clientId = env.KAFKA_CLIENT_ID ?? 'notifier';
const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId, logger, namespace: env.SUPPORTSTREAM_NAMESPACE });
const dependencies = createDependencyMonitor({
  checks: dependencyChecks({ kafka: { brokers: env.KAFKA_BROKERS, clientId }, postgres: probePool, registryUrl: env.SCHEMA_REGISTRY_URL }),
  registry: metrics,
  logger,
});
const consumer = createConsumerRunner({
  kafka,
  codec: createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, namespace: env.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(env, pool, logger) }),
  groupId: 'supportstream-notifier',
  topics: ['notifications.outbound'],
  handlers: createNotifier({
    pool,
    replyWebhookUrl: env.NOTIFIER_REPLY_WEBHOOK_URL,
    alertWebhookUrl: env.NOTIFIER_ALERT_WEBHOOK_URL,
    secret: env.NOTIFIER_WEBHOOK_SECRET,
    timeoutMs: env.NOTIFIER_TIMEOUT_MS,
    logger,
    metrics,
  }),
  retry: { retries: env.NOTIFIER_RETRIES, minDelayMs: env.NOTIFIER_RETRY_MIN_MS, maxDelayMs: env.NOTIFIER_RETRY_MAX_MS },
  logger,
  metrics,
  dependencies,
});
// Served first: while the start-up waits for a dependency, /ready says which one.
const server = await startMetricsServer(metrics, env.METRICS_PORT, env.METRICS_HOST, { readiness: () => dependencies.report() });
logger.info({ metricsPort: server.port }, 'serving /metrics and /ready');
const lifecycle = startServiceLifecycle({
  logger,
  metrics,
  monitor: dependencies,
  stop: async () => {
    await consumer.stop();
    await server.close();
    await Promise.all([pool.end(), probePool.end()]);
  },
});
await lifecycle.untilAvailable('Kafka (consumer group)', () => consumer.start());
lifecycle.started({ metricsPort: server.port });
