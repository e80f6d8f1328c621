import type { Logger, Registry } from '@supportstream/observability';
import { Gauge } from 'prom-client';
import { emptyBuckets, type AnalyticsBuckets } from './buckets.js';
import { LONGEST_WINDOW_MINUTES, rollingStats, windowStart, type RollingStats, type TenantWindowStats } from './rolling.js';
import type { AnalyticsStore } from './store.js';

export interface RollingAggregatesOptions {
  readonly store: Pick<AnalyticsStore, 'load'>;
  readonly logger: Logger;
  /** How often the in-memory copy of the last hour is read again from PostgreSQL. */
  readonly refreshMs: number;
  readonly clock?: () => Date;
}

export interface RollingAggregates {
  /** Reads the buckets of the longest window from PostgreSQL into memory. */
  refresh(): Promise<void>;
  /** The windows as of now, from the in-memory copy. */
  stats(): RollingStats;
  start(): void;
  stop(): void;
}

/**
 * An in-memory copy of the last hour of buckets, refreshed from PostgreSQL on a timer. Every
 * instance reads the same table, so several instances (each folding only its partitions) and a
 * restarted one all report the same values.
 */
export function createRollingAggregates(options: RollingAggregatesOptions): RollingAggregates {
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger.child({ component: 'rolling-aggregates' });
  let buckets: AnalyticsBuckets = emptyBuckets();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const refresh = async () => {
    buckets = await options.store.load(new Date(windowStart(clock(), LONGEST_WINDOW_MINUTES)));
  };

  return {
    refresh,
    stats: () => rollingStats(buckets, clock()),
    start() {
      timer = setInterval(() => {
        if (running) return;
        running = refresh()
          .catch((error: unknown) => logger.warn({ err: error }, 'refreshing the analytics buckets failed; the gauges keep the last copy'))
          .finally(() => {
            running = undefined;
          });
      }, options.refreshMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

type TenantValue = (stats: TenantWindowStats) => number | undefined;

/**
 * The rolling support gauges of the metric contract, computed at scrape time (prom-client
 * `collect`) from the aggregates' in-memory copy: nothing is kept between scrapes, so a tenant
 * without conversations in a window simply has no value there.
 */
export function registerRollingGauges(registry: Registry, source: () => RollingStats): void {
  const tenantGauge = (name: string, help: string, value: TenantValue) =>
    new Gauge({
      name,
      help,
      labelNames: ['tenant', 'window'],
      registers: [registry],
      collect() {
        this.reset();
        for (const stats of source().tenants) {
          const current = value(stats);
          if (current !== undefined) this.set({ tenant: stats.tenant, window: stats.window }, current);
        }
      },
    });
  tenantGauge('support_resolution_rate', 'Share of finished conversations resolved (with or without approval), per tenant, over the window (15m, 1h)', (stats) => stats.resolutionRate);
  tenantGauge('support_escalation_rate', 'Share of finished conversations that were escalated to a supervisor, per tenant, over the window', (stats) => stats.escalationRate);
  tenantGauge('support_average_handling_seconds', 'Mean time from the request to the end of its run, per tenant, over the window', (stats) => stats.averageHandlingSeconds);
  tenantGauge('support_quality_score', 'Mean quality review score (0..1) of finished conversations that had one, per tenant, over the window', (stats) => stats.qualityScore);
  new Gauge({
    name: 'support_cost_per_conversation',
    help: 'Mean model cost of a finished conversation in currency units, per tenant and currency, over the window',
    labelNames: ['tenant', 'currency', 'window'],
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of source().costs) this.set({ tenant: stats.tenant, currency: stats.currency, window: stats.window }, stats.costPerConversation);
    },
  });
}
