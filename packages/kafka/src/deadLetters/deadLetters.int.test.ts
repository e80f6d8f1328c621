import { loadMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { InvalidInputError } from '@supportstream/errors';
import { topicOf, type SupportEvent } from '@supportstream/events';
import { createMetricsRegistry } from '@supportstream/observability';
import { createTestCodec, createTopics, deleteTopics, produceRaw, readTopic, sampleContext, sampleEvent, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayLedgerContract } from '../../test/replayLedgerContract.js';
import { createConsumerRunner } from '../consumer.js';
import { HEADER, headerValue } from '../headers.js';
import { createEventProducer, type EventProducer } from '../producer.js';
import { readRawToEnd } from '../readToEnd.js';
import { createDeadLetterConsole, DeadLetterNotFoundError, UnknownDeadLetterTopicError, type DeadLetterConsole, type DeadLetterListEntry } from './deadLetterConsole.js';
import { postgresReplayLedger } from './postgresReplayLedger.js';
import { OPERATOR_TENANT } from './replayEvent.js';

const config = stackConfig();
const kafka = testKafka('dead-letters-int');
const codec = createTestCodec(config);
const logger = testLogger();
const prefix = uniqueName('dlq');
const requests = `${prefix}.customer.requests`;
const analytics = `${prefix}.system.analytics`;
const tenant = uniqueName('tenant');
const context = sampleContext({ tenantId: tenant });
const poison = sampleEvent('RequestReceived', context);
const garbageKey = uniqueName('garbage');

let db: ScratchSchema;
let producer: EventProducer;
let deadLetters: DeadLetterConsole;

/** Applies only migration 015 into a scratch schema: the ledger's table. */
async function ledgerSchema(prefixName: string): Promise<ScratchSchema> {
  const scratch = await createScratchSchema(prefixName);
  const migration = (await loadMigrations()).find((candidate) => candidate.name === 'dead_letters');
  if (migration === undefined) throw new Error('migration 015_dead_letters.sql is missing');
  await scratch.pool.query(migration.sql);
  return scratch;
}

replayLedgerContract({
  name: 'PostgreSQL',
  create: async () => {
    contractDb = await ledgerSchema('ledger_contract');
    return postgresReplayLedger({ pool: contractDb.pool, lockTimeoutMs: 5_000 });
  },
  destroy: () => contractDb.drop(),
});
let contractDb: ScratchSchema;

const eventsOn = async (topic: string): Promise<SupportEvent[]> => {
  const decoded = await Promise.all((await readRawToEnd(kafka, [topic], { timeoutMs: 20_000 })).map((raw) => codec.decode(raw.value)));
  return decoded.map((entry) => entry.event);
};

beforeAll(async () => {
  await createTopics(kafka, [requests], 2);
  await createTopics(kafka, [analytics], 1);
  db = await ledgerSchema('dead_letters');
  producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: (event) => `${prefix}.${topicOf(event.type)}` });
  await producer.connect();
  await producer.publish([poison]);
  await produceRaw(kafka, requests, [{ key: garbageKey, value: Buffer.from('not avro at all'), headers: { [HEADER.eventType]: 'RequestReceived', [HEADER.tenantId]: tenant } }]);

  // The real consumer runtime dead-letters both: a handler refuses the event, the bytes never decode.
  const runner = createConsumerRunner({
    kafka,
    codec,
    logger,
    metrics: createMetricsRegistry({}, false),
    groupId: uniqueName('dlq-group'),
    topics: [requests],
    fromBeginning: true,
    retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 },
    handlers: {
      RequestReceived: () => Promise.reject(new InvalidInputError('CRM_REFUSED', 'the CRM refused customer cust-42')),
    },
  });
  await runner.start();
  try {
    await readTopic(kafka, `${requests}.dlq`, 2, 30_000);
  } finally {
    await runner.stop();
  }
  deadLetters = createDeadLetterConsole({ kafka, codec, ledger: postgresReplayLedger({ pool: db.pool }), events: producer, topics: [requests, analytics], logger, producerName: 'tests' });
});

afterAll(async () => {
  await deadLetters.close();
  await producer.disconnect();
  await db.drop();
  await deleteTopics(kafka, [requests, analytics]);
});

const byKey = (entries: readonly DeadLetterListEntry[], key: string) => entries.find((entry) => entry.key === key);

describe('listing dead letters', () => {
  it('lists both with reason, origin, group, attempts and key; the tenant only where the value decodes', async () => {
    const listing = await deadLetters.list();
    expect(listing.matched).toBe(2);
    expect(listing.unknownTenant).toBe(0);
    const refused = byKey(listing.entries, context.conversationId);
    expect(refused).toMatchObject({
      position: { topic: `${requests}.dlq` },
      originalTopic: requests,
      consumerGroup: expect.stringMatching(/^dlq-group-/) as unknown,
      errorCode: 'CRM_REFUSED',
      errorMessage: 'the CRM refused customer cust-42',
      attempts: 1,
      eventType: 'RequestReceived',
      eventId: poison.metadata.eventId,
      tenantId: tenant,
      decodable: true,
      replay: null,
    });
    expect(refused?.originalPartition).toBeGreaterThanOrEqual(0);
    expect(refused?.originalOffset).toMatch(/^\d+$/);
    const garbage = byKey(listing.entries, garbageKey);
    expect(garbage).toMatchObject({ tenantId: null, decodable: false, errorCode: 'UNDECODABLE', eventType: 'RequestReceived' });
  });

  it('filters by tenant (records of unknown tenant left out and counted), by topic, and limits', async () => {
    const mine = await deadLetters.list({ tenantId: tenant });
    expect(mine.entries.map((entry) => entry.key)).toEqual([context.conversationId]);
    expect(mine.unknownTenant).toBe(1);
    const other = await deadLetters.list({ tenantId: uniqueName('other') });
    expect(other.entries).toEqual([]);
    expect((await deadLetters.list({ topic: analytics })).entries).toEqual([]);
    expect((await deadLetters.list({ topic: `${requests}.dlq`, limit: 1 })).entries).toHaveLength(1);
    await expect(deadLetters.list({ topic: 'customer.requests.nope' })).rejects.toBeInstanceOf(UnknownDeadLetterTopicError);
    await expect(deadLetters.list({ limit: 0 })).rejects.toThrow(/limit/);
  });
});

describe('replaying a dead letter', () => {
  it('puts the record back on its topic with its key, value and headers, announces it, and only once', async () => {
    const entry = byKey((await deadLetters.list({ tenantId: tenant })).entries, context.conversationId);
    if (entry === undefined) throw new Error('the dead letter is not listed');
    const [letter] = (await readRawToEnd(kafka, [`${requests}.dlq`])).filter((raw) => raw.partition === entry.position.partition && raw.offset === entry.position.offset);

    // Another tenant's admin does not see it: not found, and nothing is recorded for them.
    await expect(deadLetters.replay({ position: entry.position, by: 'intruder', tenantId: uniqueName('other') })).rejects.toBeInstanceOf(DeadLetterNotFoundError);

    const result = await deadLetters.replay({ position: entry.position, by: 'ops@example.test', tenantId: tenant });
    expect(result).toMatchObject({ status: 'replayed', dlq: entry.position, originalTopic: requests, replayedBy: 'ops@example.test', resumed: false });

    const back = (await readRawToEnd(kafka, [requests])).filter((raw) => raw.key?.toString('utf8') === context.conversationId);
    expect(back).toHaveLength(2);
    const replayed = back.find((raw) => raw.offset === result.replayedTo.offset && raw.partition === result.replayedTo.partition);
    expect(replayed?.value?.equals(letter?.value ?? Buffer.alloc(0))).toBe(true);
    expect(headerValue(replayed?.headers, HEADER.eventId)).toBe(poison.metadata.eventId);
    expect(headerValue(replayed?.headers, HEADER.dlqReplayId)).toBe(result.replayId);
    expect(headerValue(replayed?.headers, HEADER.dlqErrorCode)).toBeUndefined();
    // Same key, same partition as the original: the conversation stays in order.
    expect(back[0]?.partition).toBe(result.replayedTo.partition);
    expect((await codec.decode(replayed?.value ?? null)).event.metadata.eventId).toBe(poison.metadata.eventId);

    const [audit] = (await eventsOn(analytics)).filter((event) => event.type === 'DeadLetterReplayed');
    expect(audit?.metadata).toMatchObject({ eventId: result.eventId, conversationId: context.conversationId, tenantId: tenant, causationId: poison.metadata.eventId, producer: 'tests' });
    expect(audit?.data).toMatchObject({
      replayId: result.replayId,
      dlqTopic: `${requests}.dlq`,
      dlqOffset: Number(entry.position.offset),
      originalTopic: requests,
      errorCode: 'CRM_REFUSED',
      reason: 'the CRM refused customer cust-42',
      replayedBy: 'ops@example.test',
      replayedToOffset: Number(result.replayedTo.offset),
    });

    const again = await deadLetters.replay({ position: entry.position, by: 'someone-else', tenantId: tenant });
    expect(again).toMatchObject({ status: 'already_replayed', replayId: result.replayId, replayedBy: 'ops@example.test', replayedTo: result.replayedTo, eventId: result.eventId });
    expect((await readRawToEnd(kafka, [requests])).filter((raw) => raw.key?.toString('utf8') === context.conversationId)).toHaveLength(2);
    expect((await eventsOn(analytics)).filter((event) => event.type === 'DeadLetterReplayed')).toHaveLength(1);
    expect(byKey((await deadLetters.list()).entries, context.conversationId)?.replay).toMatchObject({ replayId: result.replayId, status: 'done', replayedBy: 'ops@example.test' });
  });

  it('keeps records of unknown tenant from tenant admins; an operator replays them under the _operator tenant', async () => {
    const garbage = byKey((await deadLetters.list()).entries, garbageKey);
    if (garbage === undefined) throw new Error('the undecodable dead letter is not listed');
    await expect(deadLetters.replay({ position: garbage.position, by: 'admin', tenantId: tenant })).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    const result = await deadLetters.replay({ position: garbage.position, by: 'operator' });
    expect(result.status).toBe('replayed');
    const back = (await readRawToEnd(kafka, [requests])).filter((raw) => raw.key?.toString('utf8') === garbageKey);
    expect(back.map((raw) => raw.value?.toString('utf8'))).toEqual(['not avro at all', 'not avro at all']);
    const audit = (await eventsOn(analytics)).find((event) => event.metadata.eventId === result.eventId);
    expect(audit?.metadata).toMatchObject({ tenantId: OPERATOR_TENANT, conversationId: `dlq-${result.replayId}`, causationId: null });
    // Once done, even the tenant check answers from the ledger: still not theirs.
    await expect(deadLetters.replay({ position: garbage.position, by: 'admin', tenantId: tenant })).rejects.toBeInstanceOf(DeadLetterNotFoundError);
  });

  it('answers not found for a position that holds nothing, and refuses malformed ones', async () => {
    await expect(deadLetters.replay({ position: { topic: `${requests}.dlq`, partition: 0, offset: '999999' }, by: 'ops' })).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    await expect(deadLetters.replay({ position: { topic: `${requests}.dlq`, partition: 7, offset: '0' }, by: 'ops' })).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    await expect(deadLetters.replay({ position: { topic: requests, partition: 0, offset: '0' }, by: 'ops' })).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    await expect(deadLetters.replay({ position: { topic: `${requests}.dlq`, partition: 0, offset: 'x' }, by: 'ops' })).rejects.toThrow(/offset must be/);
  });

  it('completes a replay interrupted between producing and marking it done (the record may then be there twice, same ids)', async () => {
    const key = uniqueName('interrupted');
    const interruptedEvent = sampleEvent('RequestReceived', sampleContext({ tenantId: tenant, conversationId: key }));
    await producer.publish([interruptedEvent]);
    const runner = createConsumerRunner({
      kafka,
      codec,
      logger,
      metrics: createMetricsRegistry({}, false),
      groupId: uniqueName('dlq-group'),
      topics: [requests],
      fromBeginning: true,
      retry: { retries: 0, minDelayMs: 10, maxDelayMs: 20 },
      handlers: { RequestReceived: (event) => (event.metadata.conversationId === key ? Promise.reject(new InvalidInputError('CRM_REFUSED', 'no')) : Promise.resolve()) },
    });
    await runner.start();
    const letter = await waitFor(
      async () => (await readRawToEnd(kafka, [`${requests}.dlq`])).find((raw) => raw.key?.toString('utf8') === key),
      { timeoutMs: 30_000, description: 'the third dead letter' },
    ).finally(() => runner.stop());
    const position = { topic: letter.topic, partition: letter.partition, offset: letter.offset };

    // The audit publish fails once: the record is on its topic, the ledger says pending.
    let failures = 0;
    const flaky = createDeadLetterConsole({
      kafka,
      codec,
      ledger: postgresReplayLedger({ pool: db.pool }),
      events: { publish: (events) => (failures++ === 0 ? Promise.reject(new Error('broker lost the audit event')) : producer.publish(events)) },
      topics: [requests, analytics],
      logger,
      producerName: 'tests',
    });
    try {
      await expect(flaky.replay({ position, by: 'ops' })).rejects.toThrow('broker lost the audit event');
      expect(byKey((await flaky.list()).entries, key)?.replay).toMatchObject({ status: 'pending', replayedBy: null });
      const resumed = await flaky.replay({ position, by: 'ops-2' });
      expect(resumed).toMatchObject({ status: 'replayed', resumed: true, replayedBy: 'ops-2' });
    } finally {
      await flaky.close();
    }
    const copies = (await readRawToEnd(kafka, [requests])).filter((raw) => raw.key?.toString('utf8') === key);
    // The original, plus the interrupted and the completed replay: both carry the event's id, so consumers drop the second.
    expect(copies).toHaveLength(3);
    expect(new Set(copies.map((raw) => headerValue(raw.headers, HEADER.eventId)))).toEqual(new Set([interruptedEvent.metadata.eventId]));
    expect((await eventsOn(analytics)).filter((event) => event.type === 'DeadLetterReplayed' && event.metadata.conversationId === key)).toHaveLength(1);
  });
});
