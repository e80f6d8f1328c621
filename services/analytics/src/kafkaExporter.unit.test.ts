import type { OffsetsReader, OffsetsSnapshot, ReadOffsetsOptions } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry, type Registry } from '@supportstream/observability';
import type { Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createKafkaExporter, kafkaGaugeValues, platformGroups, watchedTopics } from './kafkaExporter.js';

const logger = createLogger({ service: 'test', level: 'silent' });

const snapshot: OffsetsSnapshot = {
  partitions: [
    { topic: 'agent.actions', partition: 0, low: 0, high: 120 },
    { topic: 'agent.actions', partition: 1, low: 0, high: 80 },
    { topic: 'agent.actions.dlq', partition: 0, low: 2, high: 5 },
    { topic: 'customer.requests.dlq', partition: 0, low: 7, high: 7 },
  ],
  committed: [
    { group: 'supportstream-research', topic: 'agent.actions', partition: 0, committed: 100 },
    { group: 'supportstream-research', topic: 'agent.actions', partition: 1, committed: 80 },
    // Committed past a watermark it no longer sees (a deleted and re-created topic): no negative lag.
    { group: 'supportstream-quality', topic: 'agent.actions', partition: 1, committed: 90 },
    { group: 'supportstream-quality', topic: 'gone', partition: 0, committed: 3 },
  ],
  failedGroups: [],
};

async function gauge(registry: Registry, name: string): Promise<Record<string, number>> {
  const values = (await (registry.getSingleMetric(name) as Gauge).get()).values;
  return Object.fromEntries(values.map((entry) => [Object.values(entry.labels).join('/'), entry.value]));
}

function fakeReader(script: (OffsetsSnapshot | Error | (() => Promise<OffsetsSnapshot>))[]): OffsetsReader & { calls: ReadOffsetsOptions[] } {
  const calls: ReadOffsetsOptions[] = [];
  return {
    calls,
    read(options) {
      calls.push(options);
      const next = script.shift();
      if (next === undefined) return Promise.reject(new Error('no more snapshots'));
      if (next instanceof Error) return Promise.reject(next);
      return typeof next === 'function' ? next() : Promise.resolve(next);
    },
    close: () => Promise.resolve(),
  };
}

describe('Kafka gauge values', () => {
  it('computes watermarks, lag per group and partition, and dead-letter sizes from one snapshot', () => {
    const values = kafkaGaugeValues(snapshot);
    expect(values.highWatermarks).toHaveLength(4);
    expect(values.lags).toEqual([
      { group: 'supportstream-research', topic: 'agent.actions', partition: 0, value: 20 },
      { group: 'supportstream-research', topic: 'agent.actions', partition: 1, value: 0 },
      { group: 'supportstream-quality', topic: 'agent.actions', partition: 1, value: 0 },
    ]);
    expect(values.deadLetters).toEqual([
      { topic: 'agent.actions.dlq', value: 3 },
      { topic: 'customer.requests.dlq', value: 0 },
    ]);
  });

  it('watches every platform topic and its DLQ, and the long-lived platform groups only', () => {
    expect(watchedTopics(['agent.actions'])).toEqual(['agent.actions', 'agent.actions.dlq']);
    const groups = platformGroups('supportstream-', /^supportstream-rebuild-/);
    expect(['supportstream-triage', 'supportstream-rebuild-rm_x-1', 'reader-abc', 'demo-1'].filter(groups)).toEqual(['supportstream-triage']);
  });
});

describe('Kafka admin exporter', () => {
  it('exposes the gauges after a poll, drops series that disappeared, and keeps the last values when a poll fails', async () => {
    const registry = createMetricsRegistry({}, false);
    const later: OffsetsSnapshot = { partitions: [{ topic: 'agent.actions', partition: 0, low: 0, high: 130 }], committed: [{ group: 'supportstream-research', topic: 'agent.actions', partition: 0, committed: 130 }], failedGroups: [] };
    const reader = fakeReader([snapshot, new Error('broker unreachable'), later]);
    const exporter = createKafkaExporter({ reader, registry, logger, topics: ['agent.actions', 'agent.actions.dlq'], groups: () => true, pollMs: 1_000 });

    expect(await exporter.poll()).toBe(true);
    expect(reader.calls[0]?.topics).toEqual(['agent.actions', 'agent.actions.dlq']);
    expect(await gauge(registry, 'kafka_consumergroup_lag')).toMatchObject({ 'supportstream-research/agent.actions/0': 20 });
    expect(await gauge(registry, 'kafka_topic_high_watermark')).toMatchObject({ 'agent.actions/0': 120, 'agent.actions.dlq/0': 5 });
    expect(await gauge(registry, 'kafka_dlq_messages')).toEqual({ 'agent.actions.dlq': 3, 'customer.requests.dlq': 0 });

    expect(await exporter.poll()).toBe(false);
    expect(await gauge(registry, 'kafka_consumergroup_lag')).toMatchObject({ 'supportstream-research/agent.actions/0': 20 });

    expect(await exporter.poll()).toBe(true);
    expect(await gauge(registry, 'kafka_consumergroup_lag')).toEqual({ 'supportstream-research/agent.actions/0': 0 });
    expect(await gauge(registry, 'kafka_topic_high_watermark')).toEqual({ 'agent.actions/0': 130 });
    expect(await gauge(registry, 'kafka_dlq_messages')).toEqual({});
  });

  it('gives up on a poll that takes too long and starts no second read while the first still runs', async () => {
    let finish: (value: OffsetsSnapshot) => void = () => undefined;
    const hanging = new Promise<OffsetsSnapshot>((resolve) => (finish = resolve));
    const reader = fakeReader([() => hanging, snapshot]);
    const exporter = createKafkaExporter({ reader, registry: createMetricsRegistry({}, false), logger, topics: [], groups: () => true, pollMs: 1_000, timeoutMs: 20 });

    expect(await exporter.poll()).toBe(false);
    expect(await exporter.poll()).toBe(false);
    expect(reader.calls).toHaveLength(1);
    finish(snapshot);
    await hanging;
    await new Promise((resolve) => setImmediate(resolve));
    expect(await exporter.poll()).toBe(true);
    expect(reader.calls).toHaveLength(2);
  });
});
