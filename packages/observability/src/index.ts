export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createMetricsRegistry, registeredCounter, registeredGauge, registeredHistogram, startMetricsServer, Registry, type MetricsServer } from './metrics.js';
