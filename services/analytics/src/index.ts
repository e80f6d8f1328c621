export {
  analyticsDelta,
  COST_COUNTERS,
  emptyBuckets,
  foldAnalytics,
  MINUTE_COUNTERS,
  minuteOf,
  type AnalyticsBuckets,
  type AnalyticsDelta,
  type AnalyticsEvent,
  type AnalyticsEventType,
  type CostBucket,
  type CostCounter,
  type MinuteBucket,
  type MinuteCounter,
} from './buckets.js';
export { rollingStats, windowStart, WINDOWS, type CostWindowStats, type RollingStats, type TenantWindowStats, type WindowName } from './rolling.js';
export { createAnalyticsStore, type AnalyticsStore } from './store.js';
export { createRollingAggregates, registerRollingGauges, type RollingAggregates, type RollingAggregatesOptions } from './aggregates.js';
export { createAnalyticsHandlers, type AnalyticsHandlersOptions } from './handlers.js';
export { createKafkaExporter, kafkaGaugeValues, platformGroups, watchedTopics, type KafkaExporter, type KafkaExporterOptions, type KafkaGaugeValues } from './kafkaExporter.js';
export { analyticsEnvSchema, loadAnalyticsEnv, type AnalyticsEnv } from './config.js';
export { createAnalyticsService, type AnalyticsService } from './service.js';
