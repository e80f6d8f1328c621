import { createEventCodec, type EventCodec } from '@supportstream/events';
import { createMetricsRegistry, type Registry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, readTopic, sampleContext, sampleEvent, stackConfig, testKafka, testLogger, uniqueName, waitFor, waitUntilQuiet } from '@supportstream/testing';
import kafkajs from 'kafkajs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createConsumerRunner } from './consumer.js';
import { HEADER } from './headers.js';
import { groupOffsets } from './admin.js';
import { createProjectorRunner } from './projectorRunner.js';

const { ConfigResourceTypes } = kafkajs;

/**
 * A dead letter is the only record of a message the consumer gives up on: if writing it fails,
 * the source offset must stay uncommitted, so the message is handled again (and dead-lettered)
 * once the DLQ takes writes. Two real ways the write fails on the broker, no mock:
 * - the DLQ topic does not exist (the broker's auto-create is off): the idempotent producer waits;
 * - the DLQ topic refuses the record (max.message.bytes below the record's size): the send throws,
 *   the consumer crashes and the runtime restarts it.
 */
const config = stackConfig();
const kafka = testKafka('dlq-failure-int');
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const logger = testLogger();
const topicsToDelete: string[] = [];
const stops: (() => Promise<void>)[] = [];

/** Bytes that are not an event (dead-lettered at the first decode), big enough for the DLQ's size limit to refuse. */
const POISON = Buffer.alloc(20_000, 'not avro ');
const DLQ_TOO_SMALL = '4096';

/** The real codec, counting the decodes of the poison bytes: one per delivery of that message. */
function countingCodec(): EventCodec & { readonly poisonDeliveries: () => number } {
  let deliveries = 0;
  return {
    ...codec,
    poisonDeliveries: () => deliveries,
    decode(bytes) {
      if (bytes?.equals(POISON)) deliveries += 1;
      return codec.decode(bytes);
    },
  };
}

async function sourceWithoutDlq(): Promise<string> {
  const topic = uniqueName('dlq-fail');
  await createTopics(kafka, [topic], 1, false);
  topicsToDelete.push(topic);
  return topic;
}

async function createDlq(topic: string, maxMessageBytes?: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const configEntries = maxMessageBytes === undefined ? [] : [{ name: 'max.message.bytes', value: maxMessageBytes }];
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1, configEntries }] });
  } finally {
    await admin.disconnect();
  }
}

async function raiseDlqLimit(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: `${topic}.dlq`, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }] });
  } finally {
    await admin.disconnect();
  }
}

/** The next offset the group will read on partition 0 (-1: it never committed). */
async function committed(groupId: string, topic: string): Promise<bigint> {
  const offsets = await groupOffsets(kafka, groupId, [topic]);
  return offsets.find((entry) => entry.partition === 0)?.offset ?? -1n;
}

/** Waits for a second delivery of the poison message, or stops at the first commit on the partition (which would be the bug). */
async function redeliveredUncommitted(counting: ReturnType<typeof countingCodec>, groupId: string, topic: string): Promise<string> {
  return waitFor(
    async () => {
      const offset = await committed(groupId, topic);
      if (offset !== -1n) return `committed up to ${offset} after ${counting.poisonDeliveries()} delivery(ies) of the poison message`;
      return counting.poisonDeliveries() >= 2 && 'redelivered, nothing committed';
    },
    { timeoutMs: 30_000, intervalMs: 200, description: () => `the poison message delivered twice (so far ${counting.poisonDeliveries()})` },
  );
}

async function counterValue(metrics: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.getSingleMetric(name)?.get();
  return (metric?.values ?? []).filter((value) => Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected)).reduce((sum, value) => sum + value.value, 0);
}

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

afterAll(async () => {
  await deleteTopics(kafka, topicsToDelete);
});

describe('a dead letter that cannot be written leaves the source offset uncommitted (reactor mode)', () => {
  async function startReactor(topic: string, counting: EventCodec): Promise<{ groupId: string; handled: string[]; metrics: Registry }> {
    const groupId = uniqueName('dlq-fail-group');
    const handled: string[] = [];
    const metrics = createMetricsRegistry({}, false);
    const runner = createConsumerRunner({
      kafka,
      codec: counting,
      logger,
      metrics,
      groupId,
      topics: [topic],
      heartbeatIntervalMs: 500,
      deadLetterStallWarnMs: 1_000,
      handlers: { StepMetrics: async (event) => void handled.push(event.data.node) },
    });
    stops.push(() => runner.stop());
    await runner.start();
    return { groupId, handled, metrics };
  }

  it('DLQ topic missing: the poison message waits, uncommitted, and is dead-lettered once the topic exists', async () => {
    const topic = await sourceWithoutDlq();
    const counting = countingCodec();
    // Another key, so it runs beside the poison message: handled, but never committed past it.
    await produceRaw(kafka, topic, [
      { key: 'poison', value: POISON },
      { key: 'other', value: await codec.encode(sampleEvent('StepMetrics', sampleContext(), { node: 'after' })) },
    ]);
    const { groupId, handled, metrics } = await startReactor(topic, counting);
    await waitFor(() => handled.includes('after') && counting.poisonDeliveries() > 0, { description: 'both messages taken' });
    // Long enough for several heartbeat commit points (500 ms) and kafkajs's commit interval (1 s).
    await waitUntilQuiet(async () => `${await committed(groupId, topic)}`, { quietMs: 3_000, timeoutMs: 15_000, description: 'the committed offset' });
    expect(await committed(groupId, topic)).toBe(-1n);
    expect(await counterValue(metrics, 'kafka_consumer_dead_lettered_total', {})).toBe(0);
    // Not silent: the waiting write is reported while the partition holds.
    expect(await counterValue(metrics, 'supportstream_dead_letter_write_stalls_total', { topic })).toBeGreaterThanOrEqual(1);

    await createDlq(topic);
    const [letter] = await readTopic(kafka, `${topic}.dlq`, 1);
    expect(letter?.headers).toMatchObject({ [HEADER.dlqOffset]: '0', [HEADER.dlqErrorCode]: 'UNDECODABLE' });
    expect(letter?.value?.equals(POISON)).toBe(true);
    await waitFor(async () => (await committed(groupId, topic)) === 2n, { description: 'both offsets committed after the dead letter' });
  }, 60_000);

  it('DLQ refuses the record: the send fails, the message is delivered again, uncommitted, until the DLQ takes it', async () => {
    const topic = await sourceWithoutDlq();
    await createDlq(topic, DLQ_TOO_SMALL);
    const counting = countingCodec();
    await produceRaw(kafka, topic, [
      { key: 'poison', value: POISON },
      { key: 'other', value: await codec.encode(sampleEvent('StepMetrics', sampleContext(), { node: 'after' })) },
    ]);
    const { groupId, handled } = await startReactor(topic, counting);
    // A redelivery: the failed send crashed the consumer, the runtime restarted it, the message came again.
    expect(await redeliveredUncommitted(counting, groupId, topic)).toBe('redelivered, nothing committed');
    expect(handled).toContain('after');

    await raiseDlqLimit(topic);
    const [letter] = await readTopic(kafka, `${topic}.dlq`, 1, 40_000);
    expect(letter?.headers).toMatchObject({ [HEADER.dlqOffset]: '0', [HEADER.dlqErrorCode]: 'UNDECODABLE' });
    await waitFor(async () => (await committed(groupId, topic)) === 2n, { description: 'both offsets committed after the dead letter' });
  }, 90_000);
});

describe('a dead letter that cannot be written leaves the source offset uncommitted (projector mode)', () => {
  it('DLQ refuses the record: the batch is not handed over nor committed, and is taken again until the DLQ takes it', async () => {
    const topic = await sourceWithoutDlq();
    await createDlq(topic, DLQ_TOO_SMALL);
    const counting = countingCodec();
    const event = sampleEvent('ReplyReady');
    await produceRaw(kafka, topic, [
      { key: 'k', value: POISON },
      { key: 'k', value: await codec.encode(event) },
    ]);
    const groupId = uniqueName('dlq-fail-projector');
    const projected: string[] = [];
    const runner = createProjectorRunner({
      kafka,
      codec: counting,
      groupId,
      topics: [topic],
      logger,
      metrics: createMetricsRegistry({}, false),
      deadLetter: true,
      heartbeatIntervalMs: 500,
      handleBatch: async (batch) => void projected.push(...batch.records.map((record) => record.offset)),
    });
    stops.push(() => runner.stop());
    await runner.start();
    expect(await redeliveredUncommitted(counting, groupId, topic)).toBe('redelivered, nothing committed');
    expect(projected).toEqual([]);

    await raiseDlqLimit(topic);
    await readTopic(kafka, `${topic}.dlq`, 1, 40_000);
    await waitFor(async () => (await committed(groupId, topic)) === 2n, { description: 'the batch committed after the dead letter' });
    expect(projected).toEqual(['1']);
  }, 90_000);
});
