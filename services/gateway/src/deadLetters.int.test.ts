import { loadMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { InvalidInputError } from '@supportstream/errors';
import { topicOf, type SupportEvent } from '@supportstream/events';
import {
  createDeadLetterConsole,
  createDeadLetterProducer,
  createEventProducer,
  HEADER,
  headerValue,
  postgresReplayLedger,
  readRawToEnd,
  readToEnd,
  type DeadLetterConsole,
  type DeadLetterProducer,
  type EventProducer,
} from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { createTopics, deleteTopics, sampleContext, sampleEvent, testLogger, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { codec, kafka, signToken, startTestGateway, type TestGateway } from './test/harness.js';

interface DeadLetterBody {
  position: { topic: string; partition: number; offset: string };
  key: string | null;
  tenantId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  replay: { status: string; replayedBy: string | null } | null;
}
interface ListBody {
  deadLetters: DeadLetterBody[];
  matched: number;
  hiddenUnknownTenant: number;
  note: string | null;
}
interface ReplayBody {
  status: string;
  replayId: string;
  replayedTo: { topic: string; partition: number; offset: string };
  replayedBy: string;
  eventId: string;
}

const logger = testLogger();
const prefix = uniqueName('gw-dlq');
const requests = `${prefix}.customer.requests`;
const analytics = `${prefix}.system.analytics`;
const dlqTopic = `${requests}.dlq`;
const tenant = uniqueName('tenant-dlq');
const otherTenant = uniqueName('tenant-dlq-other');
const mine = sampleEvent('RequestReceived', sampleContext({ tenantId: tenant }));
const theirs = sampleEvent('RequestReceived', sampleContext({ tenantId: otherTenant }));
const garbageKey = uniqueName('garbage');

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
let ledgerDb: ScratchSchema;
let events: EventProducer;
let letters: DeadLetterProducer;
let deadLetters: DeadLetterConsole;
const tokens: Record<string, string> = {};
/** DLQ offset of each record, by its key. */
const offsets = new Map<string, string>();

/** A dead letter as the consumer runtime writes one: the original key, value and headers, plus why. */
async function deadLetter(key: string, value: Buffer, offset: number): Promise<void> {
  await letters.send(dlqTopic, {
    topic: requests,
    partition: 0,
    message: { key: Buffer.from(key), value, offset: String(offset), timestamp: String(Date.now()), headers: { [HEADER.eventType]: 'RequestReceived' } },
    group: 'supportstream-triage',
    error: new InvalidInputError('CRM_REFUSED', 'the CRM refused jane.doe@example.com'),
    attempts: 2,
    failedAt: new Date(),
  });
}

const onRequests = async (key: string) => (await readRawToEnd(kafka, [requests])).filter((raw) => raw.key?.toString('utf8') === key);
const audits = async (): Promise<SupportEvent[]> => (await readToEnd(kafka, codec, [analytics])).map((record) => record.event).filter((event) => event.type === 'DeadLetterReplayed');

beforeAll(async () => {
  await createTopics(kafka, [requests], 1);
  await createTopics(kafka, [analytics], 1, false);
  ledgerDb = await createScratchSchema('gateway_dlq');
  const migration = (await loadMigrations()).find((candidate) => candidate.name === 'dead_letters');
  if (migration === undefined) throw new Error('migration 015_dead_letters.sql is missing');
  await ledgerDb.pool.query(migration.sql);
  events = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: (event) => `${prefix}.${topicOf(event.type)}` });
  await events.connect();
  letters = createDeadLetterProducer(kafka);
  await letters.connect();
  await deadLetter(mine.metadata.conversationId, await codec.encode(mine), 0);
  await deadLetter(theirs.metadata.conversationId, await codec.encode(theirs), 1);
  await deadLetter(garbageKey, Buffer.from('\u0000\u0000garbage'), 2);
  for (const raw of await readRawToEnd(kafka, [dlqTopic])) offsets.set(raw.key?.toString('utf8') ?? '', raw.offset);

  deadLetters = createDeadLetterConsole({ kafka, codec, ledger: postgresReplayLedger({ pool: ledgerDb.pool }), events, topics: [requests, analytics], logger, producerName: 'gateway' });
  gw = await startTestGateway({ deadLetters });
  api = apiClient(gw.baseUrl);
  tokens['admin'] = await signToken({ sub: 'admin@tenant.test', tenant, role: 'admin' });
  tokens['otherAdmin'] = await signToken({ sub: 'admin@other.test', tenant: otherTenant, role: 'admin' });
  tokens['supervisor'] = await signToken({ sub: 'sup@tenant.test', tenant, role: 'supervisor' });
  tokens['service'] = await signToken({ sub: 'svc', tenant, role: 'service' });
});

afterAll(async () => {
  await gw.close();
  await deadLetters.close();
  await letters.disconnect();
  await events.disconnect();
  await ledgerDb.drop();
  await deleteTopics(kafka, [requests, analytics]);
});

const replayPath = (key: string) => `/v1/admin/dead-letters/${dlqTopic}/0/${offsets.get(key) ?? 'missing'}/replay`;

describe('GET /v1/admin/dead-letters', () => {
  it("lists the admin's tenant's dead letters only, masked, and says how many of unknown tenant are hidden", async () => {
    const response = await api.call<ListBody>('GET', `/v1/admin/dead-letters?topic=${requests}&limit=50`, { token: tokens['admin'] });
    expect(response.status).toBe(200);
    expect(response.body.deadLetters.map((entry) => [entry.key, entry.tenantId])).toEqual([[mine.metadata.conversationId, tenant]]);
    expect(response.body.deadLetters[0]).toMatchObject({ position: { topic: dlqTopic, partition: 0, offset: offsets.get(mine.metadata.conversationId) }, errorCode: 'CRM_REFUSED', replay: null });
    expect(response.body.deadLetters[0]?.errorMessage).toBe('the CRM refused [email]');
    expect(response.body.hiddenUnknownTenant).toBe(1);
    expect(response.body.note).toMatch(/1 dead letter\(s\) whose value does not decode are not shown/);

    const other = await api.call<ListBody>('GET', '/v1/admin/dead-letters', { token: tokens['otherAdmin'] });
    expect(other.body.deadLetters.filter((entry) => entry.position.topic === dlqTopic).map((entry) => entry.key)).toEqual([theirs.metadata.conversationId]);
  });

  it('refuses supervisors and services (403) and malformed queries (400)', async () => {
    expect((await api.call('GET', '/v1/admin/dead-letters', { token: tokens['supervisor'] })).status).toBe(403);
    expect((await api.call('GET', '/v1/admin/dead-letters', { token: tokens['service'] })).status).toBe(403);
    for (const query of ['?limit=0', '?limit=many', '?topic=a$b', '?topic=customer.requests.nope', '?page=2']) {
      expect((await api.call('GET', `/v1/admin/dead-letters${query}`, { token: tokens['admin'] })).status, query).toBe(400);
    }
  });
});

describe('POST /v1/admin/dead-letters/:topic/:partition/:offset/replay', () => {
  it('puts the record back with its key and value, records who did it, and does nothing the second time', async () => {
    const key = mine.metadata.conversationId;
    expect((await api.call('POST', replayPath(key), { token: tokens['supervisor'] })).status).toBe(403);
    expect((await api.call('POST', replayPath(key), { token: tokens['otherAdmin'] })).status).toBe(404);
    expect(await onRequests(key)).toEqual([]);

    const first = await api.call<ReplayBody>('POST', replayPath(key), { token: tokens['admin'] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'replayed', replayedBy: 'admin@tenant.test', replayedTo: { topic: requests, partition: 0 } });
    const [back] = await onRequests(key);
    expect((await codec.decode(back?.value ?? null)).event.metadata.eventId).toBe(mine.metadata.eventId);
    expect(headerValue(back?.headers, HEADER.dlqReplayId)).toBe(first.body.replayId);
    expect(headerValue(back?.headers, HEADER.dlqErrorCode)).toBeUndefined();
    expect((await audits()).map((event) => [event.metadata.eventId, event.metadata.tenantId, event.metadata.conversationId, event.type === 'DeadLetterReplayed' ? event.data.replayedBy : ''])).toEqual([
      [first.body.eventId, tenant, key, 'admin@tenant.test'],
    ]);

    const again = await api.call<ReplayBody>('POST', replayPath(key), { token: tokens['admin'] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'already_replayed', replayId: first.body.replayId, replayedTo: first.body.replayedTo, replayedBy: 'admin@tenant.test' });
    expect(await onRequests(key)).toHaveLength(1);
    expect(await audits()).toHaveLength(1);
    // Another tenant's admin still learns nothing, not even that it was replayed.
    expect((await api.call('POST', replayPath(key), { token: tokens['otherAdmin'] })).status).toBe(404);
    const listed = await api.call<ListBody>('GET', `/v1/admin/dead-letters?topic=${dlqTopic}`, { token: tokens['admin'] });
    expect(listed.body.deadLetters[0]?.replay).toMatchObject({ status: 'done', replayedBy: 'admin@tenant.test' });
  });

  it('hides records of unknown tenant (404), answers unknown positions 404 and malformed ones 400', async () => {
    expect((await api.call('POST', replayPath(garbageKey), { token: tokens['admin'] })).status).toBe(404);
    expect(await onRequests(garbageKey)).toEqual([]);
    expect((await api.call('POST', `/v1/admin/dead-letters/${dlqTopic}/0/999999/replay`, { token: tokens['admin'] })).status).toBe(404);
    expect((await api.call('POST', `/v1/admin/dead-letters/${dlqTopic}/5/0/replay`, { token: tokens['admin'] })).status).toBe(404);
    expect((await api.call('POST', '/v1/admin/dead-letters/customer.requests/0/0/replay', { token: tokens['admin'] })).status).toBe(404);
    for (const path of [`${dlqTopic}/x/0`, `${dlqTopic}/0/-1`, `${dlqTopic}/0/99999999999999999999`, 'a$b/0/0']) {
      const response = await api.call<{ error: { code: string } }>('POST', `/v1/admin/dead-letters/${path}/replay`, { token: tokens['admin'] });
      expect(response.status, path).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers 503 on a gateway built without dead letters', async () => {
    const bare = await startTestGateway();
    try {
      const response = await apiClient(bare.baseUrl).call('GET', '/v1/admin/dead-letters', { token: tokens['admin'] });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('60');
    } finally {
      await bare.close();
    }
  });
});
