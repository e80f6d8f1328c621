import type { AnalyticsBuckets } from './buckets.js';

/** The rolling windows of the gauges, in minutes: the current minute and the ones before it. */
export const WINDOWS = { '15m': 15, '1h': 60 } as const;
export type WindowName = keyof typeof WINDOWS;
export const LONGEST_WINDOW_MINUTES = 60;

export interface TenantWindowStats {
  readonly tenant: string;
  readonly window: WindowName;
  readonly conversations: number;
  /** RESOLVED and RESOLVED_AFTER_APPROVAL over all outcomes. */
  readonly resolutionRate: number;
  readonly escalationRate: number;
  readonly averageHandlingSeconds: number;
  /** Mean quality score of the outcomes that had one; undefined when none had. */
  readonly qualityScore: number | undefined;
}

export interface CostWindowStats {
  readonly tenant: string;
  readonly currency: string;
  readonly window: WindowName;
  /** In currency units (e.g. USD), over the conversations whose cost is in that currency. */
  readonly costPerConversation: number;
}

export interface RollingStats {
  readonly tenants: readonly TenantWindowStats[];
  readonly costs: readonly CostWindowStats[];
}

/** The first minute (epoch ms) of a window that ends with the minute `now` is in. */
export function windowStart(now: Date, minutes: number): number {
  return (Math.floor(now.getTime() / 60_000) - (minutes - 1)) * 60_000;
}

interface Sums {
  conversations: number;
  resolved: number;
  escalated: number;
  handlingMs: number;
  qualitySumMicros: number;
  qualityCount: number;
}

/**
 * Rates and averages per tenant over each window, from the per-minute buckets (pure). A window
 * with no conversation of a tenant has no value (a rate of nothing is not 0).
 */
export function rollingStats(buckets: AnalyticsBuckets, now: Date): RollingStats {
  const tenants: TenantWindowStats[] = [];
  const costs: CostWindowStats[] = [];
  for (const [window, minutes] of Object.entries(WINDOWS) as [WindowName, number][]) {
    const from = windowStart(now, minutes);
    const sums = new Map<string, Sums>();
    for (const bucket of buckets.minutes.values()) {
      if (Date.parse(bucket.minute) < from) continue;
      const { counters } = bucket;
      const sum = sums.get(bucket.tenantId) ?? { conversations: 0, resolved: 0, escalated: 0, handlingMs: 0, qualitySumMicros: 0, qualityCount: 0 };
      sum.conversations += counters.conversations;
      sum.resolved += counters.resolved + counters.resolved_after_approval;
      sum.escalated += counters.escalated;
      sum.handlingMs += counters.handling_ms;
      sum.qualitySumMicros += counters.quality_sum_micros;
      sum.qualityCount += counters.quality_count;
      sums.set(bucket.tenantId, sum);
    }
    for (const [tenant, sum] of [...sums].sort(([a], [b]) => a.localeCompare(b))) {
      if (sum.conversations === 0) continue;
      tenants.push({
        tenant,
        window,
        conversations: sum.conversations,
        resolutionRate: sum.resolved / sum.conversations,
        escalationRate: sum.escalated / sum.conversations,
        averageHandlingSeconds: sum.handlingMs / sum.conversations / 1_000,
        qualityScore: sum.qualityCount > 0 ? sum.qualitySumMicros / sum.qualityCount / 1_000_000 : undefined,
      });
    }
    const money = new Map<string, { tenant: string; currency: string; conversations: number; micros: number }>();
    for (const bucket of buckets.costs.values()) {
      if (Date.parse(bucket.minute) < from) continue;
      const key = `${bucket.tenantId}\u0000${bucket.currency}`;
      const sum = money.get(key) ?? { tenant: bucket.tenantId, currency: bucket.currency, conversations: 0, micros: 0 };
      sum.conversations += bucket.counters.conversations;
      sum.micros += bucket.counters.cost_micros;
      money.set(key, sum);
    }
    for (const [, sum] of [...money].sort(([a], [b]) => a.localeCompare(b))) {
      if (sum.conversations === 0) continue;
      costs.push({ tenant: sum.tenant, currency: sum.currency, window, costPerConversation: sum.micros / sum.conversations / 1_000_000 });
    }
  }
  return { tenants, costs };
}
