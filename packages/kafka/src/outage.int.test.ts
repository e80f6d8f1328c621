// A consumer that loses a dependency, or crashes in a way kafkajs does not recover from, keeps
// going by itself: real broker, real PostgreSQL behind a TCP proxy the test cuts.
import { createPool } from '@supportstream/db';
import { createEventCodec } from '@supportstream/events';
import { createDependencyMonitor, createMetricsRegistry, type Registry } from '@supportstream/observability';
import { createTopics, deleteTopics, sampleEvent, stackConfig, startTcpProxy, testKafka, testLogger, uniqueName, waitFor, type TcpProxy } from '@supportstream/testing';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerRunner, type ConsumerRunner } from './consumer.js';
import { createConsumerLoop, type ConsumerLoop } from './consumerLoop.js';
import { createEventProducer, type EventProducer } from './producer.js';

const config = stackConfig();
const kafka = testKafka('outage-int');
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const logger = testLogger();
const topics: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
let producer: EventProducer;

async function freshTopic(): Promise<string> {
  const topic = uniqueName('outage');
  await createTopics(kafka, [topic], 1);
  topics.push(topic);
  return topic;
}

async function metricValue(metrics: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await metrics.getSingleMetric(name)?.get();
  return (metric?.values ?? []).filter((value) => Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected)).reduce((sum, value) => sum + value.value, 0);
}

async function deadLetterCount(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(`${topic}.dlq`)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** PostgreSQL as the handler sees it: through a proxy the test cuts. */
async function proxiedPostgres(): Promise<{ proxy: TcpProxy; pool: pg.Pool; probe: pg.Pool }> {
  const url = new URL(config.DATABASE_URL);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = proxy.address;
  const pool = createPool(url.toString(), { max: 2, connectionTimeoutMs: 1_000 });
  const probe = createPool(url.toString(), { max: 1, connectionTimeoutMs: 1_000 });
  cleanups.push(async () => {
    await proxy.restore();
    await Promise.all([pool.end(), probe.end()]);
    await proxy.close();
  });
  return { proxy, pool, probe };
}

beforeAll(async () => {
  producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: () => topics.at(-1) ?? 'none' });
  await producer.connect();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await producer.disconnect();
  await deleteTopics(kafka, topics);
});

describe('a handler whose database goes away', () => {
  async function start(topic: string, pool: pg.Pool, dependencies: ReturnType<typeof createDependencyMonitor> | undefined) {
    const metrics = createMetricsRegistry({}, false);
    const handled: string[] = [];
    const attempts = { count: 0 };
    const runner: ConsumerRunner = createConsumerRunner({
      kafka,
      codec,
      logger,
      metrics,
      groupId: uniqueName('outage-group'),
      topics: [topic],
      retry: { retries: 2, minDelayMs: 20, maxDelayMs: 50 },
      ...(dependencies ? { dependencies } : {}),
      handlers: {
        StepMetrics: async (event) => {
          attempts.count += 1;
          await pool.query('SELECT 1');
          handled.push(event.metadata.eventId);
        },
      },
    });
    cleanups.push(() => runner.stop());
    await runner.start();
    return { metrics, handled, attempts };
  }

  it('keeps the message uncommitted through the outage and handles it once PostgreSQL is back, not dead-lettered', async () => {
    const topic = await freshTopic();
    const { proxy, pool, probe } = await proxiedPostgres();
    const dependencies = createDependencyMonitor({ checks: { postgres: () => probe.query('SELECT 1') }, registry: createMetricsRegistry({}, false), logger, downIntervalMs: 100 });
    const { metrics, handled, attempts } = await start(topic, pool, dependencies);

    await proxy.cut();
    const event = sampleEvent('StepMetrics');
    await producer.publish([event]);
    // It failed, saw PostgreSQL down and waits for it (without the monitor it would be dead-lettered at once, see below).
    await waitFor(async () => (await metricValue(metrics, 'supportstream_consumer_outage_holds_total')) >= 1, { timeoutMs: 20_000, description: 'the message held for the outage' });
    const heldAt = Date.now();
    expect(dependencies.down()).toEqual(['postgres']);
    // Held for several probe rounds, far longer than its retries take: still neither handled nor dead-lettered.
    await waitFor(() => Date.now() - heldAt >= 3_000, { timeoutMs: 5_000, intervalMs: 200 });
    expect(attempts.count).toBeGreaterThanOrEqual(1);
    expect(handled).toEqual([]);
    expect(await metricValue(metrics, 'kafka_consumer_messages_total', { outcome: 'dead_lettered' })).toBe(0);
    expect(await deadLetterCount(topic)).toBe(0);

    await proxy.restore();
    await waitFor(() => handled.length === 1, { timeoutMs: 20_000, description: 'the message handled after the outage' });
    expect(handled).toEqual([event.metadata.eventId]);
    await waitFor(async () => (await metricValue(metrics, 'kafka_consumer_messages_total', { outcome: 'handled' })) === 1, { description: 'the handled count' });
    expect(await metricValue(metrics, 'kafka_consumer_messages_total', { outcome: 'dead_lettered' })).toBe(0);
    expect(await deadLetterCount(topic)).toBe(0);
  });

  it('without a dependency monitor dead-letters it once its retries are spent (what the monitor prevents)', async () => {
    const topic = await freshTopic();
    const { proxy, pool } = await proxiedPostgres();
    const { metrics, handled } = await start(topic, pool, undefined);
    await proxy.cut();
    await producer.publish([sampleEvent('StepMetrics')]);
    await waitFor(async () => (await metricValue(metrics, 'kafka_consumer_messages_total', { outcome: 'dead_lettered' })) === 1, { timeoutMs: 30_000, description: 'the message dead-lettered' });
    expect(handled).toEqual([]);
    expect(await deadLetterCount(topic)).toBe(1);
  });
});

describe('a consumer that crashes in a way kafkajs does not restart', () => {
  it('is restarted by the runtime with backoff, counted, and handles the batch it crashed on', async () => {
    const topic = await freshTopic();
    const metrics = createMetricsRegistry({}, false);
    const dependencies = createDependencyMonitor({ checks: {}, registry: createMetricsRegistry({}, false), logger });
    const loop: ConsumerLoop = createConsumerLoop({ kafka, groupId: uniqueName('crash-group'), topics: [topic], logger, metrics, dependencies, deadLetterTopic: false, restartDelay: { minMs: 200, maxMs: 1_000 } });
    cleanups.push(() => loop.stop());
    const offsets: string[] = [];
    let crashes = 0;
    await loop.start(async (batch) => {
      // A TypeError out of the batch handler: kafkajs calls it unrecoverable and stops the consumer for good (restart: false).
      if (crashes === 0) {
        crashes += 1;
        throw new TypeError("Cannot read properties of undefined (reading 'offset')");
      }
      for (const message of batch.messages) offsets.push(message.offset);
      const last = batch.messages.at(-1);
      if (last) batch.resolve(last.offset);
    });
    await producer.publish([sampleEvent('StepMetrics'), sampleEvent('StepMetrics')]);

    await waitFor(() => offsets.length >= 2, { timeoutMs: 40_000, description: () => `the batch handled after the restart (got ${offsets.join(',')})` });
    expect(offsets).toEqual(['0', '1']);
    expect(crashes).toBe(1);
    expect(await metricValue(metrics, 'supportstream_consumer_restarts_total', { by: 'runtime' })).toBe(1);
    await waitFor(async () => (await metricValue(metrics, 'supportstream_consumer_running')) === 1, { description: 'the consumer back in its group' });
    expect(dependencies.report().components[`consumer:${loop.group}`]?.status).toBe('up');
  });
});
