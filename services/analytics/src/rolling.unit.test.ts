import { createEventFactory, type EventDataMap } from '@supportstream/events';
import type { EventHandlers, HandlerContext } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry, type Registry } from '@supportstream/observability';
import { SAMPLE_DATA, sampleContext } from '@supportstream/testing';
import type { Counter, Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRollingAggregates, registerRollingGauges } from './aggregates.js';
import { emptyBuckets, foldAnalytics, type AnalyticsBuckets, type AnalyticsEvent } from './buckets.js';
import { createAnalyticsHandlers } from './handlers.js';
import { rollingStats } from './rolling.js';

const factory = createEventFactory({ producer: 'tests' });
const logger = createLogger({ service: 'test', level: 'silent' });
let ids = 0;
const outcome = (tenantId: string, at: string, data: Partial<EventDataMap['RequestOutcome']> = {}): AnalyticsEvent =>
  factory.create('RequestOutcome', { ...SAMPLE_DATA.RequestOutcome, ...data }, sampleContext({ tenantId }), `outcome-${(ids += 1)}`, new Date(at));
const fold = (events: readonly AnalyticsEvent[]): AnalyticsBuckets => events.reduce(foldAnalytics, emptyBuckets());

// Now is 10:59:30; the 15-minute window starts at 10:45, the hour at 10:00.
const NOW = new Date('2026-03-01T10:59:30Z');
const buckets = fold([
  outcome('tenant-a', '2026-03-01T09:59:59Z', { outcome: 'FAILED' }), // before both windows
  outcome('tenant-a', '2026-03-01T10:00:00Z', { outcome: 'HANDED_OFF', escalated: true, handlingTimeMs: 30_000, qualityScore: null, totalCost: { amountMicros: 4_000, currency: 'USD' } }),
  outcome('tenant-a', '2026-03-01T10:44:59Z', { outcome: 'RESOLVED', escalated: false, handlingTimeMs: 10_000, qualityScore: 0.5, totalCost: { amountMicros: 2_000, currency: 'USD' } }),
  outcome('tenant-a', '2026-03-01T10:45:00Z', { outcome: 'RESOLVED', escalated: false, handlingTimeMs: 2_000, qualityScore: 0.9, totalCost: { amountMicros: 1_000, currency: 'USD' } }),
  outcome('tenant-a', '2026-03-01T10:59:10Z', { outcome: 'RESOLVED_AFTER_APPROVAL', escalated: true, handlingTimeMs: 6_000, qualityScore: 0.7, totalCost: { amountMicros: 3_000, currency: 'USD' } }),
  outcome('tenant-b', '2026-03-01T10:20:00Z', { outcome: 'FALLBACK', escalated: false, handlingTimeMs: 1_000, qualityScore: null, totalCost: { amountMicros: 0, currency: 'EUR' } }),
]);

describe('rolling windows', () => {
  it('rates and averages over the last 15 minutes and the last hour, per tenant', () => {
    const stats = rollingStats(buckets, NOW);
    expect(stats.tenants).toEqual([
      { tenant: 'tenant-a', window: '15m', conversations: 2, resolutionRate: 1, escalationRate: 0.5, averageHandlingSeconds: 4, qualityScore: expect.closeTo(0.8, 9) as unknown },
      { tenant: 'tenant-a', window: '1h', conversations: 4, resolutionRate: 0.75, escalationRate: 0.5, averageHandlingSeconds: 12, qualityScore: expect.closeTo(0.7, 9) as unknown },
      { tenant: 'tenant-b', window: '1h', conversations: 1, resolutionRate: 0, escalationRate: 0, averageHandlingSeconds: 1, qualityScore: undefined },
    ]);
    expect(stats.costs).toEqual([
      { tenant: 'tenant-a', currency: 'USD', window: '15m', costPerConversation: 0.002 },
      { tenant: 'tenant-a', currency: 'USD', window: '1h', costPerConversation: 0.0025 },
      { tenant: 'tenant-b', currency: 'EUR', window: '1h', costPerConversation: 0 },
    ]);
  });

  it('has no value for a window without conversations', () => {
    expect(rollingStats(buckets, new Date('2026-03-01T13:00:00Z'))).toEqual({ tenants: [], costs: [] });
  });
});

async function gauge(registry: Registry, name: string): Promise<Record<string, number>> {
  const values = (await (registry.getSingleMetric(name) as Gauge).get()).values;
  return Object.fromEntries(values.map((entry) => [Object.values(entry.labels).join('/'), entry.value]));
}

describe('rolling gauges', () => {
  it('are computed at scrape time from the copy of the buckets read from the store', async () => {
    let stored = buckets;
    const loads: Date[] = [];
    let now = NOW;
    const aggregates = createRollingAggregates({
      store: {
        load: (since) => {
          loads.push(since);
          return Promise.resolve(stored);
        },
      },
      logger,
      refreshMs: 60_000,
      clock: () => now,
    });
    const registry = createMetricsRegistry({}, false);
    registerRollingGauges(registry, () => aggregates.stats());
    expect(await gauge(registry, 'support_resolution_rate')).toEqual({});

    await aggregates.refresh();
    expect(loads).toEqual([new Date('2026-03-01T10:00:00Z')]);
    expect(await gauge(registry, 'support_resolution_rate')).toEqual({ 'tenant-a/15m': 1, 'tenant-a/1h': 0.75, 'tenant-b/1h': 0 });
    expect(await gauge(registry, 'support_escalation_rate')).toEqual({ 'tenant-a/15m': 0.5, 'tenant-a/1h': 0.5, 'tenant-b/1h': 0 });
    expect(await gauge(registry, 'support_average_handling_seconds')).toEqual({ 'tenant-a/15m': 4, 'tenant-a/1h': 12, 'tenant-b/1h': 1 });
    expect(Object.keys(await gauge(registry, 'support_quality_score'))).toEqual(['tenant-a/15m', 'tenant-a/1h']);
    expect(await gauge(registry, 'support_cost_per_conversation')).toEqual({ 'tenant-a/USD/15m': 0.002, 'tenant-a/USD/1h': 0.0025, 'tenant-b/EUR/1h': 0 });

    // Time moves on without a refresh: the windows move with it.
    now = new Date('2026-03-01T11:30:00Z');
    expect(await gauge(registry, 'support_resolution_rate')).toEqual({ 'tenant-a/1h': 1 });
    // Another instance folded more events: the next refresh brings them in.
    stored = foldAnalytics(stored, outcome('tenant-c', '2026-03-01T11:29:00Z'));
    await aggregates.refresh();
    expect(loads[1]).toEqual(new Date('2026-03-01T10:31:00Z'));
    expect(await gauge(registry, 'support_resolution_rate')).toEqual({ 'tenant-a/1h': 1, 'tenant-c/15m': 1, 'tenant-c/1h': 1 });
  });
});

describe('support_conversations_total', () => {
  function context(): HandlerContext {
    return { topic: 'system.analytics', partition: 0, offset: '0', headers: {}, schemaId: 1, attempt: 1, signal: new AbortController().signal, logger };
  }

  it('counts each RequestOutcome once, by tenant and outcome; other events and repeats are not counted', async () => {
    const seen = new Set<string>();
    const registry = createMetricsRegistry({}, false);
    const handlers: EventHandlers = createAnalyticsHandlers({
      store: {
        apply: (event) => {
          const fresh = !seen.has(event.metadata.eventId);
          seen.add(event.metadata.eventId);
          return Promise.resolve(fresh);
        },
      },
      metrics: registry,
    });
    const resolved = outcome('tenant-a', '2026-03-01T10:00:00Z', { outcome: 'RESOLVED' });
    await handlers.RequestOutcome!(resolved as never, context());
    await handlers.RequestOutcome!(resolved as never, context());
    await handlers.RequestOutcome!(outcome('tenant-a', '2026-03-01T10:00:00Z', { outcome: 'HANDED_OFF' }) as never, context());
    await handlers.LlmUsage!(factory.create('LlmUsage', SAMPLE_DATA.LlmUsage, sampleContext({ tenantId: 'tenant-a' })), context());
    const values = (await (registry.getSingleMetric('support_conversations_total') as Counter).get()).values;
    expect(Object.fromEntries(values.map((entry) => [`${entry.labels.tenant}/${entry.labels.outcome}`, entry.value]))).toEqual({ 'tenant-a/RESOLVED': 1, 'tenant-a/HANDED_OFF': 1 });
  });
});
