import { createKafka, createOffsetsReader } from '@supportstream/kafka';
import { createMetricsRegistry, type Registry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import type { Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaExporter, platformGroups, watchedTopics } from './kafkaExporter.js';

const logger = testLogger();
const kafka = createKafka({ brokers: stackConfig().KAFKA_BROKERS, clientId: 'analytics-exporter-test', logger });
const topic = uniqueName('lag');
const prefix = `${uniqueName('supportstream-test')}-`;
const live = `${prefix}live`;
const throwaway = `${prefix}rebuild-1`;
const reader = createOffsetsReader(kafka);

async function gauge(registry: Registry, name: string): Promise<Record<string, number>> {
  const values = (await (registry.getSingleMetric(name) as Gauge).get()).values;
  return Object.fromEntries(values.map((entry) => [Object.values(entry.labels).join('/'), entry.value]));
}

beforeAll(async () => {
  await createTopics(testKafka(), [topic], 2);
  const message = (partition: number, index: number) => ({ key: `k-${index}`, value: Buffer.from(`m-${index}`), partition });
  await produceRaw(testKafka(), topic, [...[0, 1, 2, 3, 4].map((index) => message(0, index)), ...[5, 6].map((index) => message(1, index))]);
  await produceRaw(testKafka(), `${topic}.dlq`, [0, 1, 2].map((index) => message(0, index)));
  // Two groups that committed without joining, as an operator's tool would: one live, one throwaway.
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId: live, topic, partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '2' }] });
    await admin.setOffsets({ groupId: throwaway, topic, partitions: [{ partition: 0, offset: '0' }] });
  } finally {
    await admin.disconnect();
  }
}, 60_000);

afterAll(async () => {
  await reader.close();
  await deleteTopics(testKafka(), [topic]);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.deleteGroups([live, throwaway]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
});

describe('Kafka admin exporter (real broker)', () => {
  it('exports the lag of the platform groups, the high watermarks and the DLQ size', async () => {
    const registry = createMetricsRegistry({}, false);
    const exporter = createKafkaExporter({ reader, registry, logger, topics: watchedTopics([topic]), groups: platformGroups(prefix, new RegExp(`^${prefix}rebuild-`)), pollMs: 15_000 });

    const lag = await waitFor(
      async () => {
        if (!(await exporter.poll())) return undefined;
        const values = await gauge(registry, 'kafka_consumergroup_lag');
        return Object.keys(values).length === 2 ? values : undefined;
      },
      { timeoutMs: 30_000, description: 'the lag of the live group on both partitions' },
    );
    expect(lag).toEqual({ [`${live}/${topic}/0`]: 3, [`${live}/${topic}/1`]: 0 });
    expect(await gauge(registry, 'kafka_topic_high_watermark')).toEqual({ [`${topic}/0`]: 5, [`${topic}/1`]: 2, [`${topic}.dlq/0`]: 3, [`${topic}.dlq/1`]: 0 });
    expect(await gauge(registry, 'kafka_dlq_messages')).toEqual({ [`${topic}.dlq`]: 3 });
  });

  it('follows a commit: the lag drops to what is left', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: live, topic, partitions: [{ partition: 0, offset: '4' }] });
    } finally {
      await admin.disconnect();
    }
    const registry = createMetricsRegistry({}, false);
    const exporter = createKafkaExporter({ reader, registry, logger, topics: watchedTopics([topic]), groups: (group) => group === live, pollMs: 15_000 });
    await waitFor(
      async () => (await exporter.poll()) && (await gauge(registry, 'kafka_consumergroup_lag'))[`${live}/${topic}/0`] === 1,
      { timeoutMs: 30_000, description: 'lag 1 on partition 0 after the commit at 4' },
    );
  });
});
