export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createMetricsRegistry, startMetricsServer, Registry, type MetricsServer } from './metrics.js';
