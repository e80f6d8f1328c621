import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, TransientError } from '@supportstream/errors';
import { createEventCodec, EVENT_SCHEMAS, EVENT_TYPES, parseAvro, topicOf, type EventType, type SupportEvent } from '@supportstream/events';
import { PassThrough } from 'node:stream';
import { createLogger, createMetricsRegistry, type Registry } from '@supportstream/observability';
import {
  createTopics,
  deleteTopics,
  produceRaw,
  readTopic,
  sampleContext,
  sampleEvent,
  stackConfig,
  testKafka,
  testLogger,
  uniqueName,
  waitFor,
} from '@supportstream/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerRunner, type ConsumerRunner, type ConsumerRunnerOptions, type EventHandlers } from './consumer.js';
import { inMemoryProcessedEvents, redisProcessedEvents, type ProcessedEvents } from './dedupe.js';
import { HEADER } from './headers.js';
import { createEventProducer, type EventProducer } from './producer.js';

const config = stackConfig();
const kafka = testKafka('consumer-int');
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const logger = testLogger();
const topicsToDelete: string[] = [];
const runners: ConsumerRunner[] = [];
let producer: EventProducer;

async function freshTopic(partitions = 1): Promise<string> {
  const topic = uniqueName('it');
  await createTopics(kafka, [topic], partitions);
  topicsToDelete.push(topic);
  return topic;
}

async function startRunner(options: Partial<ConsumerRunnerOptions> & Pick<ConsumerRunnerOptions, 'topics' | 'handlers'>): Promise<{ runner: ConsumerRunner; metrics: Registry }> {
  const metrics = options.metrics ?? createMetricsRegistry({}, false);
  const runner = createConsumerRunner({ kafka, codec, logger, groupId: uniqueName('group'), retry: { retries: 3, minDelayMs: 20, maxDelayMs: 100 }, ...options, metrics });
  runners.push(runner);
  await runner.start();
  return { runner, metrics };
}

async function counterValue(metrics: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((value) => Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

beforeAll(async () => {
  producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false) });
  await producer.connect();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

afterAll(async () => {
  await producer.disconnect();
  await deleteTopics(kafka, topicsToDelete);
});

describe('every event type through the real broker and registry', () => {
  it('produces and consumes all twelve event types with their data and envelope intact, in order per topic', async () => {
    const prefix = uniqueName('rt');
    const topicFor = (event: SupportEvent) => `${prefix}.${topicOf(event.type)}`;
    const topics = [...new Set(EVENT_TYPES.map((type) => `${prefix}.${topicOf(type)}`))];
    await createTopics(kafka, topics, 3);
    topicsToDelete.push(...topics);
    const context = sampleContext();
    const sent = EVENT_TYPES.map((type) => sampleEvent(type, context));
    const received: SupportEvent[] = [];
    const collect = async (event: SupportEvent) => {
      received.push(event);
    };
    const handlers = Object.fromEntries(EVENT_TYPES.map((type) => [type, collect])) as EventHandlers;
    const { metrics } = await startRunner({ topics, handlers });

    const roundTripProducer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor });
    await roundTripProducer.connect();
    await roundTripProducer.publish(sent);
    await roundTripProducer.disconnect();

    await waitFor(() => received.length >= sent.length, { description: `${sent.length} events (got ${received.length})` });
    expect(received).toHaveLength(EVENT_TYPES.length);
    for (const event of sent) {
      expect(received.find((candidate) => candidate.metadata.eventId === event.metadata.eventId)).toEqual(event);
    }
    for (const topic of topics) {
      const order = (events: SupportEvent[]) => events.filter((event) => topicFor(event) === topic).map((event) => event.metadata.eventId);
      expect(order(received)).toEqual(order(sent));
    }
    expect(await counterValue(metrics, 'kafka_consumer_messages_total', { outcome: 'handled' })).toBe(EVENT_TYPES.length);
  });

  it('writes the Confluent wire format with the registered schema id, the conversation as key and the ids in headers', async () => {
    const topic = await freshTopic();
    const event = sampleEvent('RequestReceived');
    const wireProducer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: () => topic });
    await wireProducer.connect();
    await wireProducer.publish([event]);
    await wireProducer.disconnect();
    const [record] = await readTopic(kafka, topic, 1);
    expect(record?.key).toBe(event.metadata.conversationId);
    expect(record?.value?.readUInt8(0)).toBe(0);
    expect(record?.value?.readInt32BE(1)).toBe(await codec.schemaIdOf('RequestReceived'));
    expect(record?.headers).toMatchObject({ [HEADER.eventType]: 'RequestReceived', [HEADER.eventId]: event.metadata.eventId, [HEADER.tenantId]: 'tenant-a' });
  });
});

describe('poison messages', () => {
  it('dead-letters undecodable, unknown-schema and invalid messages with their reason, without stalling the partition', async () => {
    const topic = await freshTopic(1);
    const context = sampleContext();
    const good1 = sampleEvent('StepMetrics', context);
    const good2 = sampleEvent('StepMetrics', context);
    const schemaId = await codec.schemaIdOf('StepMetrics');
    const definition = EVENT_SCHEMAS.find((candidate) => candidate.eventType === 'StepMetrics');
    const avro = parseAvro(definition?.schema);
    const wire = (id: number, payload: Buffer) => {
      const header = Buffer.alloc(5);
      header.writeInt32BE(id, 1);
      return Buffer.concat([header, payload]);
    };
    const mislabeled = avro.toBuffer({ metadata: { ...good1.metadata, eventId: 'x', type: 'RunCompleted' }, data: good1.data });
    await produceRaw(kafka, topic, [
      { key: context.conversationId, value: await codec.encode(good1) },
      { key: context.conversationId, value: Buffer.from('{"hello":"json is not avro"}') },
      { key: context.conversationId, value: Buffer.from([0, 0, 0]) },
      { key: context.conversationId, value: wire(987_654_321, Buffer.from([1, 2, 3])) },
      { key: context.conversationId, value: wire(schemaId, mislabeled) },
      { key: context.conversationId, value: wire(schemaId, Buffer.from([0xff, 0xff, 0xff])) },
      { key: context.conversationId, value: await codec.encode(good2) },
    ]);
    const handled: string[] = [];
    const { metrics } = await startRunner({
      topics: [topic],
      handlers: { StepMetrics: async (event) => void handled.push(event.metadata.eventId) },
    });
    await waitFor(() => handled.length >= 2, { description: 'both good events' });
    expect(handled).toEqual([good1.metadata.eventId, good2.metadata.eventId]);

    const letters = await readTopic(kafka, `${topic}.dlq`, 5);
    expect(letters.map((letter) => [letter.headers[HEADER.dlqOffset], letter.headers[HEADER.dlqErrorCode]])).toEqual([
      ['1', 'UNDECODABLE'],
      ['2', 'UNDECODABLE'],
      ['3', 'UNKNOWN_SCHEMA_ID'],
      ['4', 'INVALID_EVENT'],
      ['5', 'UNDECODABLE'],
    ]);
    for (const letter of letters) {
      expect(letter.headers[HEADER.dlqTopic]).toBe(topic);
      expect(letter.headers[HEADER.dlqPartition]).toBe('0');
      expect(letter.headers[HEADER.dlqErrorMessage]?.length).toBeGreaterThan(10);
      expect(letter.key).toBe(context.conversationId);
    }
    expect(letters[0]?.value?.toString()).toBe('{"hello":"json is not avro"}');
    expect(letters[3]?.headers[HEADER.dlqErrorMessage]).toMatch(/type "RunCompleted" does not match StepMetrics/);
    expect(await counterValue(metrics, 'kafka_consumer_dead_lettered_total', { topic })).toBe(5);
  });

  it('dead-letters a message whose handler fails with a non-retriable error and goes on', async () => {
    const topic = await freshTopic(1);
    const context = sampleContext();
    const events = [sampleEvent('StepMetrics', context, { node: 'boom' }), sampleEvent('StepMetrics', context, { node: 'fine' })];
    const topicProducer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: () => topic });
    await topicProducer.connect();
    await topicProducer.publish(events);
    await topicProducer.disconnect();
    const handled: string[] = [];
    let attempts = 0;
    await startRunner({
      topics: [topic],
      handlers: {
        StepMetrics: async (event) => {
          if (event.data.node === 'boom') {
            attempts += 1;
            throw new InvalidInputError('REFUND_POLICY_VIOLATION', 'amount exceeds the policy');
          }
          handled.push(event.data.node);
        },
      },
    });
    await waitFor(() => handled.length === 1, { description: 'the second event' });
    const [letter] = await readTopic(kafka, `${topic}.dlq`, 1);
    expect(letter?.headers).toMatchObject({ [HEADER.dlqErrorCode]: 'REFUND_POLICY_VIOLATION', [HEADER.dlqAttempts]: '1', [HEADER.eventId]: events[0]?.metadata.eventId });
    expect(attempts).toBe(1);
  });
});

describe('retries', () => {
  it('retries a retriable failure with backoff and handles the message once', async () => {
    const topic = await freshTopic();
    const event = sampleEvent('ReplyReady');
    let calls = 0;
    const { metrics } = await startRunner({
      topics: [topic],
      handlers: {
        ReplyReady: async () => {
          calls += 1;
          if (calls <= 2) throw new TransientError('WEBHOOK_UNAVAILABLE', 'receiver returned 503');
        },
      },
    });
    await produceRaw(kafka, topic, [{ key: 'k', value: await codec.encode(event) }]);
    await waitFor(async () => (await counterValue(metrics, 'kafka_consumer_messages_total', { outcome: 'handled' })) === 1, { description: 'handled once' });
    expect(calls).toBe(3);
    expect(await counterValue(metrics, 'kafka_consumer_retries_total', { topic })).toBe(2);
  });

  it('dead-letters a message when the retries are exhausted', async () => {
    const topic = await freshTopic();
    const event = sampleEvent('ReplyReady');
    let calls = 0;
    await startRunner({
      topics: [topic],
      retry: { retries: 2, minDelayMs: 10, maxDelayMs: 20 },
      handlers: {
        ReplyReady: async () => {
          calls += 1;
          throw new TransientError('WEBHOOK_UNAVAILABLE', 'receiver returned 503');
        },
      },
    });
    await produceRaw(kafka, topic, [{ key: 'k', value: await codec.encode(event) }]);
    const [letter] = await readTopic(kafka, `${topic}.dlq`, 1);
    expect(letter?.headers).toMatchObject({ [HEADER.dlqErrorCode]: 'WEBHOOK_UNAVAILABLE', [HEADER.dlqAttempts]: '3' });
    expect(calls).toBe(3);
  });
});

describe('logs', () => {
  it('put the event\'s correlation id on every line about it: the handler\'s, the retries and the dead letter', async () => {
    const topic = await freshTopic();
    const event = sampleEvent('ReplyReady');
    const out = new PassThrough();
    const records: Record<string, unknown>[] = [];
    out.on('data', (chunk: Buffer) => records.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)));
    await startRunner({
      topics: [topic],
      logger: createLogger({ service: 'test', level: 'info', destination: out }),
      retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 },
      handlers: {
        ReplyReady: async (_event, context) => {
          context.logger.info('delivering');
          throw new TransientError('WEBHOOK_UNAVAILABLE', 'receiver returned 503');
        },
      },
    });
    await produceRaw(kafka, topic, [{ key: 'k', value: await codec.encode(event) }]);
    await waitFor(() => records.some((record) => record['msg'] === 'message dead-lettered'), { description: 'the dead letter' });
    const about = (msg: string) => records.filter((record) => record['msg'] === msg);
    for (const msg of ['delivering', 'retriable failure; retrying', 'message dead-lettered']) {
      expect(about(msg).length, msg).toBeGreaterThan(0);
      for (const record of about(msg)) expect(record, msg).toMatchObject({ correlationId: event.metadata.correlationId, topic, eventType: 'ReplyReady' });
    }
  });
});

describe('deduplication', () => {
  it('handles an event id once per group even when it is delivered twice (Redis store)', async () => {
    const redis = new Redis(config.REDIS_URL);
    try {
      const topic = await freshTopic();
      const first = sampleEvent('RunCompleted');
      const other = sampleEvent('RunCompleted');
      const handled: string[] = [];
      const { metrics } = await startRunner({
        topics: [topic],
        processedEvents: redisProcessedEvents({ redis, prefix: uniqueName('processed'), ttlSeconds: 600 }),
        handlers: { RunCompleted: async (event) => void handled.push(event.metadata.eventId) },
      });
      const bytes = await codec.encode(first);
      await produceRaw(kafka, topic, [
        { key: 'k', value: bytes },
        { key: 'k', value: bytes },
        { key: 'k', value: await codec.encode(other) },
      ]);
      await waitFor(async () => (await counterValue(metrics, 'kafka_consumer_messages_total', {})) === 3, { description: 'three messages consumed' });
      expect(handled).toEqual([first.metadata.eventId, other.metadata.eventId]);
      expect(await counterValue(metrics, 'kafka_consumer_messages_total', { outcome: 'duplicate' })).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('ignores event types the service has no handler for, acknowledging them', async () => {
    const topic = await freshTopic();
    const handled: EventType[] = [];
    const { metrics } = await startRunner({ topics: [topic], handlers: { ApprovalDecided: async (event) => void handled.push(event.type) } });
    await produceRaw(kafka, topic, [
      { key: 'k', value: await codec.encode(sampleEvent('ApprovalRequested')) },
      { key: 'k', value: await codec.encode(sampleEvent('ApprovalDecided')) },
    ]);
    await waitFor(() => handled.length === 1);
    await waitFor(async () => (await counterValue(metrics, 'kafka_consumer_messages_total', { outcome: 'ignored' })) === 1, { description: 'one ignored' });
    expect(handled).toEqual(['ApprovalDecided']);
    expect(await counterValue(metrics, 'kafka_consumer_messages_total', { outcome: 'handled' })).toBe(1);
    expect(await counterValue(metrics, 'kafka_consumer_messages_total', {})).toBe(2);
    expect(await counterValue(metrics, 'kafka_consumer_dead_lettered_total', {})).toBe(0);
  });

  it('looks up and records only the ids of messages it accepts, one lookup per batch', async () => {
    const topic = await freshTopic();
    const store = inMemoryProcessedEvents();
    const lookups: string[][] = [];
    const recorded: string[] = [];
    const counting: ProcessedEvents = {
      seenMany: (group, ids) => {
        lookups.push([...ids]);
        return store.seenMany(group, ids);
      },
      rememberMany: (group, ids) => {
        recorded.push(...ids);
        return store.rememberMany(group, ids);
      },
    };
    const context = sampleContext();
    const requested = [sampleEvent('ApprovalRequested', context), sampleEvent('ApprovalRequested', context)];
    const decided = [sampleEvent('ApprovalDecided', context), sampleEvent('ApprovalDecided', context)];
    const publisher = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: () => topic });
    await publisher.connect();
    await publisher.publish([requested[0]!, decided[0]!, requested[1]!, decided[1]!]);
    await publisher.disconnect();
    const handled: string[] = [];
    await startRunner({ topics: [topic], processedEvents: counting, handlers: { ApprovalDecided: async (event) => void handled.push(event.metadata.eventId) } });
    await waitFor(() => handled.length === 2, { description: 'both decisions' });
    const decidedIds = decided.map((event) => event.metadata.eventId);
    expect(handled).toEqual(decidedIds);
    // The requests are not this consumer's: never looked up, never recorded.
    expect(lookups.flat().sort()).toEqual([...decidedIds].sort());
    expect(lookups.length).toBeLessThanOrEqual(2);
    expect(recorded.sort()).toEqual([...decidedIds].sort());
  });
});

describe('slow handlers', () => {
  it('keeps the group membership through a handler longer than the session timeout (no rebalance)', async () => {
    const topic = await freshTopic();
    const handled: string[] = [];
    const { metrics } = await startRunner({
      topics: [topic],
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      handlers: {
        StepMetrics: async (event) => {
          if (event.data.node === 'slow') await new Promise((resolve) => setTimeout(resolve, 9_000));
          handled.push(event.data.node);
        },
      },
    });
    const context = sampleContext();
    await produceRaw(kafka, topic, [
      { key: 'k', value: await codec.encode(sampleEvent('StepMetrics', context, { node: 'slow' })) },
      { key: 'k', value: await codec.encode(sampleEvent('StepMetrics', context, { node: 'next' })) },
    ]);
    await waitFor(() => handled.length >= 2, { timeoutMs: 30_000, description: 'both events' });
    expect(handled).toEqual(['slow', 'next']);
    expect(await counterValue(metrics, 'kafka_consumer_rebalances_total', {})).toBe(1);
  }, 45_000);
});

describe('a bounded drain', () => {
  it('stop() returns after drainTimeoutMs even when a handler ignores the stop signal', async () => {
    const topic = await freshTopic();
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    let finished = false;
    const { runner } = await startRunner({
      topics: [topic],
      drainTimeoutMs: 1_000,
      handlers: {
        // Deaf to context.signal: a handler that cannot be interrupted.
        StepMetrics: async () => {
          started = true;
          await stuck;
          finished = true;
        },
      },
    });
    await produceRaw(kafka, topic, [{ key: 'k', value: await codec.encode(sampleEvent('StepMetrics', sampleContext())) }]);
    await waitFor(() => started, { timeoutMs: 30_000, description: 'the handler to start' });
    // Without the bound, kafkajs's disconnect waits for the batch in hand, and so stop() would wait forever.
    await runner.stop();
    expect(finished).toBe(false);
    release();
  }, 30_000);
});

describe('shutdown and crashes', () => {
  const fixture = resolve(dirname(fileURLToPath(import.meta.url)), '../test/slowConsumer.ts');

  function spawnConsumer(topic: string, group: string, handleMs: number): { child: ChildProcessWithoutNullStreams; lines: string[]; exited: Promise<number | null> } {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture], {
      env: { ...process.env, TEST_TOPIC: topic, TEST_GROUP: group, HANDLE_MS: String(handleMs) },
    });
    const lines: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    // Shown when a test fails: a child that crashed says why.
    child.stderr.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString()}`));
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    return { child, lines, exited };
  }

  async function offsetsSeenBy(group: string, topic: string, expected: number): Promise<string[]> {
    const seen: string[] = [];
    await startRunner({ groupId: group, topics: [topic], handlers: { StepMetrics: async (_event, context) => void seen.push(context.offset) } });
    await waitFor(() => seen.length >= expected, { description: `${expected} redelivered message(s)` });
    return seen;
  }

  it('on SIGTERM finishes the message in hand, commits it and exits 0', async () => {
    const topic = await freshTopic();
    const group = uniqueName('graceful');
    const context = sampleContext();
    await produceRaw(kafka, topic, await Promise.all([0, 1, 2].map(async () => ({ key: 'k', value: await codec.encode(sampleEvent('StepMetrics', context)) }))));
    const { child, lines, exited } = spawnConsumer(topic, group, 2_000);
    await waitFor(() => lines.includes('start 0'), { timeoutMs: 30_000, description: () => `the child to start handling (output: ${lines.join(' | ').slice(0, 2000)})` });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines).toContain('done 0');
    expect(lines).not.toContain('start 1');
    expect(await offsetsSeenBy(group, topic, 2)).toEqual(['1', '2']);
  }, 60_000);

  it('after SIGKILL mid-handling, the unfinished message is delivered again (nothing lost)', async () => {
    const topic = await freshTopic();
    const group = uniqueName('killed');
    const context = sampleContext();
    await produceRaw(kafka, topic, await Promise.all([0, 1].map(async () => ({ key: 'k', value: await codec.encode(sampleEvent('StepMetrics', context)) }))));
    const { child, lines, exited } = spawnConsumer(topic, group, 5_000);
    await waitFor(() => lines.includes('start 0'), { timeoutMs: 30_000, description: () => `the child to start handling (output: ${lines.join(' | ').slice(0, 2000)})` });
    child.kill('SIGKILL');
    await exited;
    expect(lines).not.toContain('done 0');
    expect(await offsetsSeenBy(group, topic, 2)).toEqual(['0', '1']);
  }, 60_000);
});
