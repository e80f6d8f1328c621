export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createMetricsRegistry, registeredCounter, registeredGauge, registeredHistogram, startMetricsServer, Registry, type MetricsServer, type MetricsServerOptions } from './metrics.js';
export { createDependencyMonitor, type ComponentState, type DependencyCheck, type DependencyMonitor, type DependencyMonitorOptions, type WaitOptions } from './dependencies.js';
export type { ComponentStatus, ReadinessReport } from './readiness.js';
