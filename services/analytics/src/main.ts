// Analytics service: system.analytics into per-minute buckets (PostgreSQL), rolling support KPIs and Kafka admin metrics.
import { onShutdown } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry, startMetricsServer } from '@supportstream/observability';
import { loadAnalyticsEnv } from './config.js';
import { startAnalyticsService } from './service.js';

const env = loadAnalyticsEnv();
const logger = createLogger({ service: 'analytics', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
const metrics = createMetricsRegistry({ service: 'analytics' });
const service = await startAnalyticsService(env, logger, metrics);
const server = await startMetricsServer(metrics, env.METRICS_PORT, env.METRICS_HOST);
logger.info({ metricsPort: server.port, topic: env.ANALYTICS_TOPIC }, 'service started');
onShutdown(async () => {
  await service.stop();
  await server.close();
}, logger);
