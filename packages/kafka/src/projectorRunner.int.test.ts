import { TransientError } from '@supportstream/errors';
import { createEventCodec, type EventCodec } from '@supportstream/events';
import { createMetricsRegistry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, readTopic, sampleEvent, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HEADER } from './headers.js';
import { createProjectorRunner, type ProjectedBatch, type ProjectorRunner } from './projectorRunner.js';

const config = stackConfig();
const kafka = testKafka('projector-runner-int');
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const logger = testLogger();
const topicsToDelete: string[] = [];
const runners: ProjectorRunner[] = [];

/** The real codec, with its first `failures` decodes failing as a registry outage would. */
function flakyCodec(failures: number): EventCodec & { readonly calls: () => number } {
  let calls = 0;
  return {
    ...codec,
    calls: () => calls,
    decode(bytes) {
      calls += 1;
      if (calls <= failures) return Promise.reject(new TransientError('REGISTRY_UNAVAILABLE', 'schema registry failed: connect ECONNREFUSED'));
      return codec.decode(bytes);
    },
  };
}

async function start(runnerCodec: EventCodec, topic: string, batches: ProjectedBatch[]): Promise<void> {
  const runner = createProjectorRunner({
    kafka,
    codec: runnerCodec,
    groupId: uniqueName('projector'),
    topics: [topic],
    logger,
    metrics: createMetricsRegistry({}, false),
    deadLetter: true,
    handleBatch: async (batch) => {
      batches.push(batch);
    },
  });
  runners.push(runner);
  await runner.start();
}

async function freshTopic(): Promise<string> {
  const topic = uniqueName('projector-it');
  await createTopics(kafka, [topic], 1);
  topicsToDelete.push(topic);
  return topic;
}

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

afterAll(async () => {
  await deleteTopics(kafka, topicsToDelete);
});

describe('the projector mode decodes a batch', () => {
  it('retries a decode that fails as a registry outage, and hands the record over once, decoded', async () => {
    const topic = await freshTopic();
    const event = sampleEvent('ReplyReady');
    const flaky = flakyCodec(2);
    const batches: ProjectedBatch[] = [];
    await start(flaky, topic, batches);
    await produceRaw(kafka, topic, [{ key: 'k', value: await codec.encode(event) }]);
    await waitFor(() => batches.length > 0, { description: 'the batch handed over' });
    const records = batches.flatMap((batch) => batch.records);
    expect(records).toHaveLength(1);
    expect(records[0]?.event).toEqual(event);
    expect(records[0]).toMatchObject({ topic, partition: 0, offset: '0', writerSchema: 'io.supportstream.events.ReplyReady' });
    // The bare first attempt and two retries through the backoff.
    expect(flaky.calls()).toBe(3);
  });

  it('dead-letters bytes that are not an event at the first attempt and hands over the rest of the batch', async () => {
    const topic = await freshTopic();
    const event = sampleEvent('ReplyReady');
    const counting = flakyCodec(0);
    const batches: ProjectedBatch[] = [];
    await start(counting, topic, batches);
    await produceRaw(kafka, topic, [
      { key: 'k', value: Buffer.from('not avro at all') },
      { key: 'k', value: await codec.encode(event) },
    ]);
    const [letter] = await readTopic(kafka, `${topic}.dlq`, 1);
    expect(letter?.headers).toMatchObject({ [HEADER.dlqErrorCode]: 'UNDECODABLE' });
    await waitFor(() => batches.some((batch) => batch.lastOffset === '1'), { description: 'the batch up to offset 1 handed over' });
    const handled = batches.flatMap((batch) => batch.records);
    expect(handled.map((record) => [record.offset, record.event.metadata.eventId])).toEqual([['1', event.metadata.eventId]]);
    // One attempt each: a bad message is not retried.
    expect(counting.calls()).toBe(2);
  });
});
