import { InvalidInputError } from '@supportstream/errors';
import { createEventCodec, createRegistryClient, subjectFor, topicOf, type SupportEvent } from '@supportstream/events';
import { createMetricsRegistry } from '@supportstream/observability';
import { deleteTopics, sampleContext, sampleEvent, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupOffsets } from './admin.js';
import { createKafka, namesOf } from './client.js';
import { createConsumerRunner, type ConsumerRunner, type HandlerContext } from './consumer.js';
import { createDeadLetterConsole } from './deadLetters/deadLetterConsole.js';
import { inMemoryReplayLedger } from './deadLetters/replayLedger.js';
import { HEADER, headerValue } from './headers.js';
import { createOffsetsReader } from './offsets.js';
import { createEventProducer, type EventProducer } from './producer.js';
import { readRawToEnd, readToEnd } from './readToEnd.js';
import { applyTopics } from './topics.js';

/**
 * Issue 12: a client built with a namespace names everything on the broker `<ns>.<name>` while
 * its callers keep logical names; a client without one (today's platform) sees none of it.
 */
const config = stackConfig();
const logger = testLogger();
const namespace = `nsit-${Math.random().toString(36).slice(2, 8)}`;
const spaced = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'namespace-int', logger, namespace });
const plain = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'namespace-int-plain', logger });
const raw = testKafka('namespace-int-raw');
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL, namespace, autoRegister: true });
const registry = createRegistryClient(config.SCHEMA_REGISTRY_URL);
// A logical topic of this test; the namespace's physical one is `<ns>.<logical>`.
const logical = uniqueName('nsit.events');
const physical = `${namespace}.${logical}`;
const group = uniqueName('nsit-group');
let producer: EventProducer;
let runner: ConsumerRunner | undefined;

async function brokerTopics(): Promise<string[]> {
  const admin = raw.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  const spec = { partitions: 1, replicationFactor: 1, config: {} };
  await applyTopics(spaced, [{ name: logical, ...spec }, { name: `${logical}.dlq`, ...spec }]);
  producer = createEventProducer({ kafka: spaced, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: () => logical });
  await producer.connect();
});

afterAll(async () => {
  await runner?.stop();
  await producer.disconnect();
  await deleteTopics(raw, [physical]);
  for (const subject of (await registry.subjects()).filter((name) => name.startsWith(`${namespace}.`))) {
    await registry.deleteSubject(subject).catch(() => undefined);
    await registry.deleteSubject(subject, true).catch(() => undefined);
  }
});

describe('a namespaced Kafka client', () => {
  it('derives names and keeps none of today when the namespace is unset', () => {
    expect(namesOf(spaced).topic('customer.requests')).toBe(`${namespace}.customer.requests`);
    expect(namesOf(spaced).group('supportstream-triage')).toBe(`${namespace}.supportstream-triage`);
    expect(namesOf(plain).topic('customer.requests')).toBe('customer.requests');
    expect(namesOf(plain).group('supportstream-triage')).toBe('supportstream-triage');
    // A library client built by test helpers has no namespace either.
    expect(namesOf(raw).topic('agent.actions')).toBe('agent.actions');
  });

  it('creates the declared topics under the namespace only, and reports them logically', async () => {
    const topics = await brokerTopics();
    expect(topics).toContain(physical);
    expect(topics).toContain(`${physical}.dlq`);
    expect(topics).not.toContain(logical);
    const again = await applyTopics(spaced, [{ name: logical, partitions: 1, replicationFactor: 1, config: {} }], { dryRun: true });
    expect(again.changes).toEqual([expect.objectContaining({ kind: 'unchanged', topic: logical })]);
  });

  it('produces to, consumes from, commits for and dead-letters into the namespace, with logical names for its callers', async () => {
    const context = sampleContext();
    const good = sampleEvent('RequestReceived', context);
    const bad = sampleEvent('RequestReceived', context, { message: 'reject me' });
    const published = await producer.publish([good, bad]);
    expect(published.map((record) => record.topic)).toEqual([logical]);

    // The registry subject follows the physical topic.
    const subjects = await registry.subjects();
    expect(subjects).toContain(subjectFor(`${namespace}.${topicOf('RequestReceived')}`, 'io.supportstream.events.RequestReceived'));

    const seen: { event: SupportEvent; context: HandlerContext }[] = [];
    runner = createConsumerRunner({
      kafka: spaced,
      codec,
      logger,
      metrics: createMetricsRegistry({}, false),
      groupId: group,
      topics: [logical],
      retry: { retries: 0, minDelayMs: 10, maxDelayMs: 10 },
      handlers: {
        RequestReceived: (event, handlerContext) => {
          if (event.data.message === 'reject me') return Promise.reject(new InvalidInputError('NOPE', 'rejected by the test'));
          seen.push({ event, context: handlerContext });
          return Promise.resolve();
        },
      },
    });
    await runner.start();
    await waitFor(() => seen.length === 1);
    expect(seen[0]?.event.metadata.eventId).toBe(good.metadata.eventId);
    expect(seen[0]?.context.topic).toBe(logical);

    // The committed offsets are the namespace's group's, on the physical topic.
    const committed = await waitFor(async () => {
      const offsets = await groupOffsets(spaced, group, [logical]);
      return offsets.some((entry) => entry.offset === 2n) ? offsets : undefined;
    });
    expect(committed).toEqual([{ topic: logical, partition: 0, offset: 2n }]);
    const admin = raw.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((entry) => entry.groupId);
      expect(groups).toContain(`${namespace}.${group}`);
      expect(groups).not.toContain(group);
    } finally {
      await admin.disconnect();
    }

    // The rejected event went to the namespace's DLQ; its headers name the logical topic and group.
    const letters = await waitFor(async () => {
      const records = await readRawToEnd(spaced, [`${logical}.dlq`], { timeoutMs: 10_000 });
      return records.length > 0 ? records : undefined;
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]?.topic).toBe(`${logical}.dlq`);
    expect(headerValue(letters[0]?.headers ?? {}, HEADER.dlqTopic)).toBe(logical);
    expect(headerValue(letters[0]?.headers ?? {}, HEADER.dlqGroup)).toBe(group);
  });

  it('reads, watches and replays the namespace only', async () => {
    const records = await readToEnd(spaced, codec, [logical], { timeoutMs: 10_000 });
    expect(records.map((record) => record.topic)).toEqual([logical, logical]);
    // Today's platform has no such topic: a reader without the namespace cannot read it.
    await expect(readToEnd(plain, codec, [logical], { timeoutMs: 3_000 })).rejects.toThrow();

    const reader = createOffsetsReader(spaced);
    try {
      const snapshot = await reader.read({ topics: [logical, 'customer.requests'], groups: (name) => name === group });
      // customer.requests exists for today's platform, not in this namespace.
      expect(snapshot.partitions).toEqual([{ topic: logical, partition: 0, low: 0, high: 2 }]);
      expect(snapshot.committed).toEqual([{ group, topic: logical, partition: 0, committed: 2 }]);
    } finally {
      await reader.close();
    }
    const plainReader = createOffsetsReader(plain);
    try {
      const snapshot = await plainReader.read({ topics: [logical], groups: (name) => name.includes('nsit-group') });
      expect(snapshot.partitions).toEqual([]);
      expect(snapshot.committed).toEqual([]);
    } finally {
      await plainReader.close();
    }

    const console = createDeadLetterConsole({ kafka: spaced, codec, ledger: inMemoryReplayLedger(), events: producer, logger, producerName: 'namespace-int', topics: [logical] });
    try {
      const listing = await console.list();
      expect(listing.entries).toHaveLength(1);
      const entry = listing.entries[0];
      expect(entry?.position.topic).toBe(`${logical}.dlq`);
      expect(entry?.originalTopic).toBe(logical);
    } finally {
      await console.close();
    }
  });
});
