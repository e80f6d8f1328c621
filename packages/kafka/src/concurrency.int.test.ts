import { createEventCodec, type SupportEvent } from '@supportstream/events';
import { createMetricsRegistry, type Registry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, readTopic, sampleContext, sampleEvent, stackConfig, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { groupOffsets, topicOffsets } from './admin.js';
import { createKafka } from './client.js';
import { createConsumerRunner, type ConsumerRunner, type ConsumerRunnerOptions } from './consumer.js';
import { HEADER } from './headers.js';
import { createEventProducer } from './producer.js';

const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'concurrency-int', logger });
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const topicsToDelete: string[] = [];
const runners: ConsumerRunner[] = [];

async function freshTopic(partitions: number): Promise<string> {
  const topic = uniqueName('conc');
  await createTopics(kafka, [topic], partitions);
  topicsToDelete.push(topic);
  return topic;
}

async function startRunner(options: Partial<ConsumerRunnerOptions> & Pick<ConsumerRunnerOptions, 'topics' | 'handlers'>): Promise<{ runner: ConsumerRunner; metrics: Registry }> {
  const metrics = options.metrics ?? createMetricsRegistry({}, false);
  const runner = createConsumerRunner({ kafka, codec, logger, groupId: uniqueName('group'), heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000, ...options, metrics });
  runners.push(runner);
  await runner.start();
  return { runner, metrics };
}

async function metricSum(metrics: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await metrics.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((value) => Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

/** StepMetrics events keyed by conversation, `keys` conversations interleaved, `perKey` events each, in produce order. */
async function interleaved(keys: number, perKey: number): Promise<{ events: SupportEvent<'StepMetrics'>[]; messages: { key: string; value: Buffer }[] }> {
  const contexts = Array.from({ length: keys }, () => sampleContext());
  const events: SupportEvent<'StepMetrics'>[] = [];
  for (let round = 0; round < perKey; round += 1) {
    for (const context of contexts) events.push(sampleEvent('StepMetrics', context, { attempt: round }));
  }
  const messages = await Promise.all(events.map(async (event) => ({ key: event.metadata.conversationId, value: await codec.encode(event) })));
  return { events, messages };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

afterAll(async () => {
  await deleteTopics(kafka, topicsToDelete);
});

describe('key-ordered concurrency inside a partition', () => {
  it('runs different keys at once and one key strictly in produce order', async () => {
    const topic = await freshTopic(2);
    const { events, messages } = await interleaved(12, 15);
    await produceRaw(kafka, topic, messages);
    const handled = new Map<string, number[]>();
    const active = new Set<string>();
    let overlaps = 0;
    const sameKeyAtOnce: string[] = [];
    await startRunner({
      topics: [topic],
      maxInFlight: 8,
      handlers: {
        StepMetrics: async (event) => {
          const key = event.metadata.conversationId;
          if (active.has(key)) sameKeyAtOnce.push(key);
          if (active.size > 0) overlaps += 1;
          active.add(key);
          // Random small delays, so a key's later event would overtake an earlier one if order were not kept.
          await pause(Math.floor(Math.random() * 8));
          active.delete(key);
          handled.set(key, [...(handled.get(key) ?? []), event.data.attempt]);
        },
      },
    });
    await waitFor(() => [...handled.values()].reduce((sum, list) => sum + list.length, 0) >= events.length, { timeoutMs: 60_000, description: `${events.length} events` });
    expect(sameKeyAtOnce).toEqual([]);
    expect(overlaps).toBeGreaterThan(0);
    expect(handled.size).toBe(12);
    for (const list of handled.values()) expect(list).toEqual(Array.from({ length: 15 }, (_, index) => index));
  }, 90_000);

  it('never commits past a message still in flight, and commits the handled prefix before it', async () => {
    const topic = await freshTopic(1);
    const context = sampleContext({ conversationId: 'slow-conversation' });
    const fast = (index: number) => sampleEvent('StepMetrics', sampleContext(), { node: `fast-${index}` });
    const events = [...[0, 1, 2, 3, 4].map(fast), sampleEvent('StepMetrics', context, { node: 'slow' }), ...[5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map(fast)];
    await produceRaw(kafka, topic, await Promise.all(events.map(async (event) => ({ key: event.metadata.conversationId, value: await codec.encode(event) }))));
    const groupId = uniqueName('watermark');
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    await startRunner({
      topics: [topic],
      groupId,
      maxInFlight: 16,
      handlers: {
        StepMetrics: async (event) => {
          if (event.data.node === 'slow') await released;
          handled.push(event.data.node);
        },
      },
    });
    const committed = async () => (await groupOffsets(kafka, groupId, [topic])).find((entry) => entry.partition === 0)?.offset ?? -1n;
    await waitFor(() => handled.length === 15, { timeoutMs: 30_000, description: () => `every fast message (got ${handled.join(', ')})` });
    // The prefix before the slow message (offset 5) is committed while it runs, and nothing after it.
    await waitFor(async () => (await committed()) === 5n, { timeoutMs: 30_000, description: 'offset 5 committed' });
    expect(handled).not.toContain('slow');
    expect(await committed()).toBe(5n);
    release();
    await waitFor(async () => (await committed()) === 16n, { timeoutMs: 30_000, description: 'everything committed once the slow message is done' });
    expect(handled.filter((node) => node === 'slow')).toHaveLength(1);
  }, 90_000);

  it('through a rebalance mid-batch (a second member joins), loses nothing; only moved partitions see messages twice', async () => {
    const topic = await freshTopic(4);
    // Slow enough (300 messages, 50 ms each, 2 at a time) that the second member joins long before the first is done.
    const { events, messages } = await interleaved(30, 10);
    await produceRaw(kafka, topic, messages);
    const groupId = uniqueName('rebalance');
    const seen = { first: [] as string[], second: [] as string[] };
    const handler = (into: string[]) => ({
      StepMetrics: async (_event: SupportEvent<'StepMetrics'>, context: { partition: number; offset: string }) => {
        await pause(50);
        into.push(`${context.partition}:${context.offset}`);
      },
    });
    const first = await startRunner({ topics: [topic], groupId, maxInFlight: 2, handlers: handler(seen.first) });
    await waitFor(() => seen.first.length >= 20, { timeoutMs: 30_000, description: 'the first member under way' });
    await startRunner({ topics: [topic], groupId, maxInFlight: 2, handlers: handler(seen.second) });
    const all = () => new Set([...seen.first, ...seen.second]);
    await waitFor(() => all().size === events.length, { timeoutMs: 90_000, description: () => `all ${events.length} messages (got ${all().size})` });
    expect(seen.second.length).toBeGreaterThan(0);
    expect(await metricSum(first.metrics, 'kafka_consumer_rebalances_total')).toBeGreaterThanOrEqual(2);
    const moved = new Set(seen.second.map((entry) => entry.split(':')[0]));
    const counts = new Map<string, number>();
    for (const entry of [...seen.first, ...seen.second]) counts.set(entry, (counts.get(entry) ?? 0) + 1);
    const twice = [...counts].filter(([, count]) => count > 1).map(([entry]) => entry);
    expect(twice.filter((entry) => !moved.has(entry.split(':')[0] ?? ''))).toEqual([]);
    // Each member handled each message at most once itself (no in-member duplicates).
    expect(new Set(seen.first).size).toBe(seen.first.length);
    expect(new Set(seen.second).size).toBe(seen.second.length);
  }, 150_000);
});

describe('route before decoding', () => {
  it('acknowledges a message whose headers name an unhandled type without decoding it; the same bytes without the header are decoded and dead-lettered', async () => {
    const topic = await freshTopic(1);
    const notAvro = Buffer.from('these bytes are not Avro');
    const decided = sampleEvent('ApprovalDecided');
    await produceRaw(kafka, topic, [
      { key: 'k', value: notAvro, headers: { [HEADER.eventType]: 'ApprovalRequested' } },
      { key: 'k', value: notAvro },
      { key: 'k', value: await codec.encode(decided), headers: { [HEADER.eventType]: 'ApprovalDecided', [HEADER.eventId]: decided.metadata.eventId } },
    ]);
    const handled: string[] = [];
    const { metrics } = await startRunner({ topics: [topic], handlers: { ApprovalDecided: async (event) => void handled.push(event.metadata.eventId) } });
    await waitFor(() => handled.length === 1, { description: 'the decided event' });
    await waitFor(async () => (await metricSum(metrics, 'kafka_consumer_messages_total')) === 3, { description: 'all three acknowledged' });
    expect(handled).toEqual([decided.metadata.eventId]);
    expect(await metricSum(metrics, 'kafka_consumer_messages_total', { outcome: 'ignored' })).toBe(1);
    expect(await metricSum(metrics, 'kafka_consumer_messages_total', { outcome: 'dead_lettered' })).toBe(1);
    const letters = await readTopic(kafka, `${topic}.dlq`, 1);
    expect(letters.map((letter) => letter.headers[HEADER.dlqOffset])).toEqual(['1']);
    expect((await topicOffsets(kafka, [`${topic}.dlq`]))[0]?.high).toBe(1n);
  });

  it('routes on the next-node header: a step for another node is acknowledged, not handled', async () => {
    const topic = await freshTopic(1);
    const context = sampleContext();
    const forResearch = sampleEvent('AgentStepCompleted', context, { next: 'research' });
    const forSolution = sampleEvent('AgentStepCompleted', context, { next: 'solution' });
    const producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: () => topic });
    await producer.connect();
    await producer.publish([forSolution, forResearch]);
    await producer.disconnect();
    const handled: string[] = [];
    const { metrics } = await startRunner({
      topics: [topic],
      accepts: (route) => route.eventType === 'AgentStepCompleted' && route.nextNode === 'research',
      handlers: { AgentStepCompleted: async (event) => void handled.push(event.metadata.eventId) },
    });
    await waitFor(() => handled.length === 1, { description: 'the research step' });
    await waitFor(async () => (await metricSum(metrics, 'kafka_consumer_messages_total', { outcome: 'ignored' })) === 1, { description: 'the solution step ignored' });
    expect(handled).toEqual([forResearch.metadata.eventId]);
  });
});

describe('produce batching', () => {
  it('coalesces concurrent publishes into fewer sends, acknowledges each caller and keeps the order per key', async () => {
    const topic = await freshTopic(3);
    const metrics = createMetricsRegistry({}, false);
    const producer = createEventProducer({ kafka, codec, logger, metrics, topicFor: () => topic });
    await producer.connect();
    try {
      const contexts = Array.from({ length: 5 }, () => sampleContext());
      const events = Array.from({ length: 60 }, (_, index) => sampleEvent('StepMetrics', contexts[index % 5], { attempt: Math.floor(index / 5) }));
      // Sixty callers at once, as concurrent handlers would publish.
      const results = await Promise.all(events.map((event) => producer.publish([event])));
      expect(results.every((records) => records.length > 0)).toBe(true);
      // One send observes the duration once: the histogram's count is the number of sendBatch calls.
      const sends = (await metrics.getSingleMetric('kafka_producer_send_duration_seconds')?.get())?.values.find((value) => (value as { metricName?: string }).metricName === 'kafka_producer_send_duration_seconds_count')?.value ?? 0;
      expect(sends).toBeGreaterThanOrEqual(1);
      expect(sends).toBeLessThan(events.length / 2);
      expect(await metricSum(metrics, 'kafka_producer_messages_total')).toBe(events.length);
      const records = await readTopic(kafka, topic, events.length);
      expect(records).toHaveLength(events.length);
      for (const context of contexts) {
        const order = records.filter((record) => record.key === context.conversationId).map((record) => record.headers[HEADER.eventId]);
        expect(order).toEqual(events.filter((event) => event.metadata.conversationId === context.conversationId).map((event) => event.metadata.eventId));
      }
    } finally {
      await producer.disconnect();
    }
  });
});
