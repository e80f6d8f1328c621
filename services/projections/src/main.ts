// Projections service: every topic into the PostgreSQL read models and the Redis conversation cache.
import { parseEnv, platformEnvSchema, z } from '@supportstream/config';
import { startServiceLifecycle } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry, startMetricsServer } from '@supportstream/observability';
import { LIVE_SCHEMA } from '@supportstream/projections';
import { createProjectionsService } from './service.js';

const env = parseEnv(
  platformEnvSchema.extend({
    PROJECTIONS_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case schema name').default(LIVE_SCHEMA),
    PROJECTIONS_GROUP: z.string().min(1).default('supportstream-projections'),
    PROJECTIONS_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(3_600),
  }),
);
const logger = createLogger({ service: 'projections', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
const metrics = createMetricsRegistry({ service: 'projections' });
const service = createProjectionsService(env, logger, metrics);
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
lifecycle.started({ metricsPort: server.port, schema: env.PROJECTIONS_SCHEMA });
