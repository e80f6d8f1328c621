// Analytics service: system.analytics into per-minute buckets (PostgreSQL), rolling support KPIs and Kafka admin metrics.
import { startServiceLifecycle } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry, startMetricsServer } from '@supportstream/observability';
import { loadAnalyticsEnv } from './config.js';
import { createAnalyticsService } from './service.js';

const env = loadAnalyticsEnv();
const logger = createLogger({ service: 'analytics', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
const metrics = createMetricsRegistry({ service: 'analytics' });
const service = createAnalyticsService(env, logger, metrics);
// Served first: while the start-up waits for a dependency, /ready says which one.
const server = await startMetricsServer(metrics, env.METRICS_PORT, env.METRICS_HOST, { readiness: () => service.dependencies.report() });
logger.info({ metricsPort: server.port }, 'serving /metrics and /ready');
const lifecycle = startServiceLifecycle({
  logger,
  metrics,
  monitor: service.dependencies,
  stop: async () => {
    await service.stop();
    await server.close();
  },
});
await service.start(lifecycle);
lifecycle.started({ metricsPort: server.port, topic: env.ANALYTICS_TOPIC });
