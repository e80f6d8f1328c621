import { runMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { createEventCodec, createEventFactory, type EventDataMap } from '@supportstream/events';
import { createConsumerRunner, createKafka, redisProcessedEvents, type ConsumerRunner } from '@supportstream/kafka';
import { createMetricsRegistry, type Registry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, SAMPLE_DATA, sampleContext, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { Redis } from 'ioredis';
import type { Counter, Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollingAggregates, registerRollingGauges } from './aggregates.js';
import { emptyBuckets, foldAnalytics, MINUTE_COUNTERS, type AnalyticsEvent } from './buckets.js';
import { createAnalyticsHandlers } from './handlers.js';
import { createAnalyticsStore, type AnalyticsStore } from './store.js';

const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'analytics-test', logger });
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const factory = createEventFactory({ producer: 'tests' });
const topic = uniqueName('analytics');
const tenant = uniqueName('tenant');
const metrics = createMetricsRegistry({}, false);
let db: ScratchSchema;
let store: AnalyticsStore;
let redis: Redis;
let consumer: ConsumerRunner;

const outcome = (data: Partial<EventDataMap['RequestOutcome']>): AnalyticsEvent => factory.create('RequestOutcome', { ...SAMPLE_DATA.RequestOutcome, ...data }, sampleContext({ tenantId: tenant }));
const usage = (data: Partial<EventDataMap['LlmUsage']>): AnalyticsEvent => factory.create('LlmUsage', { ...SAMPLE_DATA.LlmUsage, ...data }, sampleContext({ tenantId: tenant }));
const step = (): AnalyticsEvent => factory.create('StepMetrics', SAMPLE_DATA.StepMetrics, sampleContext({ tenantId: tenant }));

async function produce(events: readonly AnalyticsEvent[]): Promise<void> {
  await produceRaw(kafka, topic, await Promise.all(events.map(async (event) => ({ key: event.metadata.conversationId, value: await codec.encode(event) }))));
}

/** The tenant's sums over all its minutes, from PostgreSQL. */
async function storedTotals(): Promise<Record<string, number>> {
  const result = await db.pool.query<Record<string, string>>(`SELECT ${MINUTE_COUNTERS.map((column) => `sum(${column})::text AS ${column}`).join(', ')} FROM analytics_minutes WHERE tenant_id = $1`, [tenant]);
  return Object.fromEntries(Object.entries(result.rows[0] ?? {}).map(([key, value]) => [key, Number(value ?? 0)]));
}

async function gauge(registry: Registry, name: string): Promise<Record<string, number>> {
  const values = (await (registry.getSingleMetric(name) as Gauge).get()).values;
  return Object.fromEntries(values.filter((entry) => entry.labels.tenant === tenant).map((entry) => [Object.values(entry.labels).slice(1).join('/'), entry.value]));
}

beforeAll(async () => {
  db = await createScratchSchema('analytics');
  await runMigrations(db.pool, { schema: db.schema });
  store = createAnalyticsStore(db.pool);
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  await createTopics(testKafka(), [topic], 2);
  consumer = createConsumerRunner({
    kafka,
    codec,
    logger,
    metrics,
    groupId: uniqueName('analytics'),
    topics: [topic],
    handlers: createAnalyticsHandlers({ store, metrics }),
    processedEvents: redisProcessedEvents({ redis, prefix: uniqueName('processed'), ttlSeconds: 600 }),
    retry: { retries: 2, minDelayMs: 20, maxDelayMs: 100 },
  });
  await consumer.start();
}, 60_000);

afterAll(async () => {
  await consumer.stop();
  await deleteTopics(testKafka(), [topic]);
  redis.disconnect();
  await db.drop();
});

describe('analytics service (real Kafka, PostgreSQL, Redis)', () => {
  const events = [
    outcome({ outcome: 'RESOLVED', escalated: false, handlingTimeMs: 2_000, qualityScore: 0.9, totalCost: { amountMicros: 1_000, currency: 'USD' } }),
    outcome({ outcome: 'RESOLVED_AFTER_APPROVAL', escalated: true, handlingTimeMs: 8_000, qualityScore: 0.7, totalCost: { amountMicros: 5_000, currency: 'USD' } }),
    outcome({ outcome: 'HANDED_OFF', escalated: true, handlingTimeMs: 5_000, qualityScore: null, totalCost: { amountMicros: 0, currency: 'USD' } }),
    usage({ promptTokens: 800, completionTokens: 120, cost: { amountMicros: 210, currency: 'USD' } }),
    usage({ promptTokens: 400, completionTokens: 60, cached: true, cost: { amountMicros: 0, currency: 'USD' } }),
    step(),
  ];

  it('folds RequestOutcome, LlmUsage and StepMetrics into per-minute buckets, each event once', async () => {
    await produce(events);
    // The first outcome again, as after a crash before the offset commit, then a marker with the
    // duplicate's key: the same partition, after it, and one key's messages are handled strictly in
    // order, so once the marker is counted the duplicate has been handled (and must have added nothing).
    const duplicate = events[0]!;
    const marker = factory.create('StepMetrics', SAMPLE_DATA.StepMetrics, sampleContext({ tenantId: tenant, conversationId: duplicate.metadata.conversationId }));
    await produce([duplicate, marker]);
    await waitFor(async () => (await storedTotals())['steps'] === 2, { timeoutMs: 30_000, description: 'the marker after the duplicate' });
    const totals = await storedTotals();

    // PostgreSQL holds exactly what the pure fold of the distinct events computes.
    const folded = [...events, marker].reduce(foldAnalytics, emptyBuckets());
    const sums = Object.fromEntries(MINUTE_COUNTERS.map((column) => [column, [...folded.minutes.values()].reduce((sum, bucket) => sum + bucket.counters[column], 0)]));
    expect(totals).toEqual(sums);
    expect(totals).toMatchObject({ conversations: 3, resolved: 1, resolved_after_approval: 1, handed_off: 1, escalated: 2, handling_ms: 15_000, quality_count: 2, prompt_tokens: 1_200, llm_cached_calls: 1, steps: 2 });
    const costs = await db.pool.query<{ conversations: string; cost_micros: string; llm_cost_micros: string }>(
      `SELECT sum(conversations)::text AS conversations, sum(cost_micros)::text AS cost_micros, sum(llm_cost_micros)::text AS llm_cost_micros FROM analytics_minute_costs WHERE tenant_id = $1 AND currency = 'USD'`,
      [tenant],
    );
    expect(costs.rows[0]).toEqual({ conversations: '3', cost_micros: '6000', llm_cost_micros: '210' });

    const counted = (await (metrics.getSingleMetric('support_conversations_total') as Counter).get()).values.filter((entry) => entry.labels.tenant === tenant);
    expect(Object.fromEntries(counted.map((entry) => [entry.labels.outcome, entry.value]))).toEqual({ RESOLVED: 1, RESOLVED_AFTER_APPROVAL: 1, HANDED_OFF: 1 });
  });

  it('exposes the rolling gauges from PostgreSQL, the same in every instance', async () => {
    const instances = [createMetricsRegistry({}, false), createMetricsRegistry({}, false)].map((registry) => {
      const aggregates = createRollingAggregates({ store: createAnalyticsStore(db.pool), logger, refreshMs: 60_000 });
      registerRollingGauges(registry, () => aggregates.stats());
      return { registry, aggregates };
    });
    for (const { registry, aggregates } of instances) {
      await aggregates.refresh();
      expect(await gauge(registry, 'support_resolution_rate')).toEqual({ '15m': 2 / 3, '1h': 2 / 3 });
      expect(await gauge(registry, 'support_escalation_rate')).toEqual({ '15m': 2 / 3, '1h': 2 / 3 });
      expect(await gauge(registry, 'support_average_handling_seconds')).toEqual({ '15m': 5, '1h': 5 });
      const quality = await gauge(registry, 'support_quality_score');
      expect(quality['15m']).toBeCloseTo(0.8, 9);
      expect(await gauge(registry, 'support_cost_per_conversation')).toEqual({ 'USD/15m': 0.002, 'USD/1h': 0.002 });
    }
  });

  it('adds nothing for an event whose id it has folded in before, even without the Redis fast path', async () => {
    const before = await storedTotals();
    expect(await store.apply(events[1]!)).toBe(false);
    expect(await storedTotals()).toEqual(before);
    const fresh = outcome({ outcome: 'FAILED' });
    expect(await store.apply(fresh)).toBe(true);
    expect(await store.apply(fresh)).toBe(false);
    expect((await storedTotals())['failed']).toBe(1);
  });
});
