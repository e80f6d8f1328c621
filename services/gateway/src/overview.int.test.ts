import { createServer, type Socket } from 'node:net';
import type { SupportEvent } from '@supportstream/events';
import { createKafka, createOffsetsReader, setGroupOffsets, type OffsetsReader } from '@supportstream/kafka';
import { createTopics, deleteTopics, produceRaw, sampleContext, sampleEvent, testLogger, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperationsSource } from './overview/operations.js';
import { apiClient } from './test/conformance.js';
import { kafka, signToken, startTestGateway, type TestGateway } from './test/harness.js';

// GET /v1/overview on the real stack: known analytics rows (as services/analytics writes them)
// for a unique tenant, known approvals in the read model, and a consumer group and dead-letter
// topic of this test's own on the broker.

interface Money {
  currency: string;
  amountMicros: string;
  amount: string;
}
interface Bucket {
  start: string;
  conversations: number;
  resolved: number;
  resolvedAfterApproval: number;
  handedOff: number;
  fallback: number;
  failed: number;
  escalated: number;
  meanHandlingMs: number | null;
}
interface Operations {
  status: string;
  readAt: string | null;
  message: string | null;
  consumerGroups: { group: string; lag: number; topics: { topic: string; lag: number; partitions: number }[] }[];
  deadLetters: { topic: string; records: number; partitions: number }[];
  unreadGroups: string[];
}
interface OverviewBody {
  window: string;
  from: string;
  to: string;
  stepSeconds: number;
  generatedAt: string;
  totals: Record<string, unknown> & { conversations: number };
  costs: { currency: string; conversations: number; total: Money; perConversation: Money | null; llm: Money }[];
  series: Bucket[];
  approvals: { pending: number; oldestRequestedAt: string | null; oldestWaitingMs: number | null };
  operations: Operations | null;
}

const MINUTE = 60_000;
const tenant = uniqueName('tenant-overview');
const otherTenant = uniqueName('tenant-overview-other');
const topic = `${uniqueName('gw-overview')}.customer.requests`;
const dlqTopic = `${topic}.dlq`;
// Named like the platform's groups; the source below reads only this one.
const group = uniqueName('supportstream-overview-test');
/** The minute the rows are placed around; every row is minutes inside its windows, so a test crossing a minute changes nothing. */
const base = Math.floor(Date.now() / MINUTE) * MINUTE;
const at = (minutesAgo: number) => new Date(base - minutesAgo * MINUTE);
const oldestRequest = new Date(base - 42 * MINUTE);

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
let reader: OffsetsReader;
const tokens: Record<string, string> = {};

async function minute(tenantId: string, when: Date, counters: Record<string, number>): Promise<void> {
  const columns = Object.keys(counters);
  await gw.db.pool.query(`INSERT INTO analytics_minutes (tenant_id, minute, ${columns.join(', ')}) VALUES ($1, $2, ${columns.map((_, index) => `$${index + 3}`).join(', ')})`, [tenantId, when, ...Object.values(counters)]);
}

async function cost(tenantId: string, when: Date, currency: string, counters: { conversations: number; cost_micros: number; llm_cost_micros: number }): Promise<void> {
  await gw.db.pool.query('INSERT INTO analytics_minute_costs (tenant_id, minute, currency, conversations, cost_micros, llm_cost_micros) VALUES ($1, $2, $3, $4, $5, $6)', [
    tenantId,
    when,
    currency,
    counters.conversations,
    counters.cost_micros,
    counters.llm_cost_micros,
  ]);
}

/** An event as it was produced at `occurredAt` (the approvals projection takes requested_at from it). */
function producedAt<E extends SupportEvent>(event: E, occurredAt: Date): E {
  return { ...event, metadata: { ...event.metadata, occurredAt } };
}

function approvalRequested(tenantId: string, approvalId: string, occurredAt: Date): SupportEvent<'ApprovalRequested'> {
  return producedAt(sampleEvent('ApprovalRequested', sampleContext({ tenantId }), { approvalId }), occurredAt);
}

const overview = (token: string, query = '') => api.call<OverviewBody>('GET', `/v1/overview${query}`, { token });

beforeAll(async () => {
  await createTopics(kafka, [topic], 2);
  // Lag: 5 records on partition 0 with 2 committed, 3 on partition 1 all committed → 3.
  await produceRaw(kafka, topic, [...[0, 1, 2, 3, 4].map((n) => ({ key: `k${n}`, value: Buffer.from('x'), partition: 0 })), ...[0, 1, 2].map((n) => ({ key: `m${n}`, value: Buffer.from('x'), partition: 1 }))]);
  await setGroupOffsets(kafka, group, topic, [
    { partition: 0, offset: 2n },
    { partition: 1, offset: 3n },
  ]);
  // Dead letters: 4 records over the two partitions.
  await produceRaw(kafka, dlqTopic, [0, 1, 2, 3].map((n) => ({ key: `d${n}`, value: Buffer.from('poison'), partition: n % 3 === 0 ? 0 : 1 })));

  reader = createOffsetsReader(kafka);
  gw = await startTestGateway({ overview: { operations: createOperationsSource({ reader, topics: [topic], groups: (name) => name === group, logger: testLogger() }) } });
  api = apiClient(gw.baseUrl);

  // 1 h: 5 and 30 minutes ago; 6 h and 24 h add 3 hours ago; 7 d adds 2 days ago; 8 days ago is in no window.
  await minute(tenant, at(5), {
    conversations: 4,
    resolved: 2,
    resolved_after_approval: 1,
    handed_off: 1,
    escalated: 2,
    handling_ms: 10_000,
    quality_sum_micros: 3_600_000,
    quality_count: 4,
    llm_calls: 6,
    llm_cached_calls: 1,
    prompt_tokens: 1_200,
    completion_tokens: 300,
  });
  await minute(tenant, at(30), { conversations: 2, fallback: 1, failed: 1, handling_ms: 7_000 });
  await minute(tenant, at(180), { conversations: 10, resolved: 10, handling_ms: 10_000 });
  await minute(tenant, at(2 * 24 * 60), { conversations: 1, handed_off: 1, escalated: 1, handling_ms: 60_000 });
  await minute(tenant, at(8 * 24 * 60), { conversations: 100, resolved: 100, handling_ms: 100_000 });
  await cost(tenant, at(5), 'EUR', { conversations: 4, cost_micros: 1_234_567, llm_cost_micros: 1_000_000 });
  await cost(tenant, at(30), 'EUR', { conversations: 1, cost_micros: 765_434, llm_cost_micros: 5 });
  await cost(tenant, at(30), 'USD', { conversations: 1, cost_micros: 49_990_000, llm_cost_micros: 0 });
  // Another tenant in the same minutes: never counted.
  await minute(otherTenant, at(5), { conversations: 50, resolved: 50, escalated: 50, handling_ms: 50_000 });
  await cost(otherTenant, at(5), 'EUR', { conversations: 50, cost_micros: 9_999_999, llm_cost_micros: 9 });

  // Approvals: two pending (the older 42 minutes ago), one decided; the other tenant's pending one is not counted.
  const decided = approvalRequested(tenant, uniqueName('appr-decided'), at(50));
  await gw.seed([
    approvalRequested(tenant, uniqueName('appr-old'), oldestRequest),
    approvalRequested(tenant, uniqueName('appr-new'), at(3)),
    decided,
    sampleEvent('ApprovalDecided', { ...sampleContext({ tenantId: tenant }), conversationId: decided.metadata.conversationId }, { approvalId: decided.data.approvalId, decision: 'APPROVED', editedReply: null }),
    approvalRequested(otherTenant, uniqueName('appr-other'), at(60)),
  ]);

  for (const role of ['customer', 'service', 'supervisor', 'admin'] as const) tokens[role] = await signToken({ sub: `${role}-1`, tenant, role });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await reader?.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.disconnect();
  await deleteTopics(kafka, [topic]);
});

describe('GET /v1/overview', () => {
  it('sums the last hour of the tenant: outcomes, rates, handling time, quality, tokens and exact money per currency', async () => {
    const response = await overview(tokens['supervisor'] ?? '');
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.window).toBe('1h');
    expect(body.stepSeconds).toBe(60);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(60 * MINUTE);
    // The last bucket is the minute of the answer.
    expect(Date.parse(body.from)).toBe(Math.floor(Date.parse(body.generatedAt) / MINUTE) * MINUTE - 59 * MINUTE);
    expect(body.totals).toEqual({
      conversations: 6,
      resolved: 2,
      resolvedAfterApproval: 1,
      handedOff: 1,
      fallback: 1,
      failed: 1,
      escalated: 2,
      resolutionRate: 0.5,
      escalationRate: 2 / 6,
      meanHandlingMs: 2833,
      meanQualityScore: 0.9,
      llm: { calls: 6, cachedCalls: 1, promptTokens: 1_200, completionTokens: 300 },
    });
    expect(body.costs).toEqual([
      {
        currency: 'EUR',
        conversations: 5,
        total: { currency: 'EUR', amountMicros: '2000001', amount: '2.000001' },
        perConversation: { currency: 'EUR', amountMicros: '400000', amount: '0.4' },
        llm: { currency: 'EUR', amountMicros: '1000005', amount: '1.000005' },
      },
      {
        currency: 'USD',
        conversations: 1,
        total: { currency: 'USD', amountMicros: '49990000', amount: '49.99' },
        perConversation: { currency: 'USD', amountMicros: '49990000', amount: '49.99' },
        llm: { currency: 'USD', amountMicros: '0', amount: '0' },
      },
    ]);
  });

  it('has one bucket per minute, oldest first, zero where nothing finished', async () => {
    const { series, from } = (await overview(tokens['supervisor'] ?? '', '?window=1h')).body;
    expect(series).toHaveLength(60);
    expect(series.map((bucket) => Date.parse(bucket.start) - Date.parse(from))).toEqual(Array.from({ length: 60 }, (_, index) => index * MINUTE));
    const busy = series.filter((bucket) => bucket.conversations > 0);
    expect(busy).toEqual([
      { start: at(30).toISOString(), conversations: 2, resolved: 0, resolvedAfterApproval: 0, handedOff: 0, fallback: 1, failed: 1, escalated: 0, meanHandlingMs: 3_500 },
      { start: at(5).toISOString(), conversations: 4, resolved: 2, resolvedAfterApproval: 1, handedOff: 1, fallback: 0, failed: 0, escalated: 2, meanHandlingMs: 2_500 },
    ]);
    expect(series.find((bucket) => bucket.conversations === 0)).toMatchObject({ resolved: 0, escalated: 0, meanHandlingMs: null });
  });

  it('widens with the window: 6 h in 5-minute buckets, 24 h in quarters, 7 d in hours; older rows stay out', async () => {
    const bucketOf = (when: Date, stepMinutes: number) => new Date(Math.floor(when.getTime() / (stepMinutes * MINUTE)) * stepMinutes * MINUTE).toISOString();
    const six = (await overview(tokens['supervisor'] ?? '', '?window=6h')).body;
    expect([six.stepSeconds, six.series.length, six.totals.conversations, six.totals['resolved'], six.totals['meanHandlingMs']]).toEqual([300, 72, 16, 12, Math.round(27_000 / 16)]);
    expect(six.series.filter((bucket) => bucket.conversations > 0).map((bucket) => [bucket.start, bucket.conversations])).toEqual([
      [bucketOf(at(180), 5), 10],
      [bucketOf(at(30), 5), 2],
      [bucketOf(at(5), 5), 4],
    ]);
    const day = (await overview(tokens['supervisor'] ?? '', '?window=24h')).body;
    expect([day.stepSeconds, day.series.length, day.totals.conversations]).toEqual([900, 96, 16]);
    const week = (await overview(tokens['supervisor'] ?? '', '?window=7d')).body;
    expect([week.stepSeconds, week.series.length, week.totals.conversations, week.totals['handedOff'], week.totals['escalated']]).toEqual([3_600, 168, 17, 2, 3]);
    expect(week.series.reduce((sum, bucket) => sum + bucket.conversations, 0)).toBe(17);
    expect(week.series.find((bucket) => bucket.start === bucketOf(at(2 * 24 * 60), 60))?.meanHandlingMs).toBe(60_000);
  });

  it('counts the pending approvals of the tenant and how long the oldest has waited', async () => {
    const { approvals, generatedAt } = (await overview(tokens['supervisor'] ?? '')).body;
    expect(approvals.pending).toBe(2);
    expect(approvals.oldestRequestedAt).toBe(oldestRequest.toISOString());
    expect(approvals.oldestWaitingMs).toBe(Date.parse(generatedAt) - oldestRequest.getTime());
  });

  it('another tenant sees only its own rows', async () => {
    const token = await signToken({ sub: 'sup-other', tenant: otherTenant, role: 'supervisor' });
    const body = (await overview(token)).body;
    expect([body.totals.conversations, body.totals['escalationRate'], body.approvals.pending]).toEqual([50, 1, 1]);
    expect(body.costs.map((entry) => [entry.currency, entry.total.amount])).toEqual([['EUR', '9.999999']]);
    const empty = (await overview(await signToken({ sub: 'sup-new', tenant: uniqueName('tenant-empty'), role: 'admin' }))).body;
    expect(empty.totals).toMatchObject({ conversations: 0, resolutionRate: null, escalationRate: null, meanHandlingMs: null, meanQualityScore: null });
    expect([empty.costs, empty.series.every((bucket) => bucket.conversations === 0), empty.approvals]).toEqual([[], true, { pending: 0, oldestRequestedAt: null, oldestWaitingMs: null }]);
  });

  it('refuses customers and services, and shows consumer lag and dead letters to admins only', async () => {
    for (const role of ['customer', 'service'] as const) {
      const refused = await api.call<{ error: { code: string; message: string } }>('GET', '/v1/overview', { token: tokens[role] ?? '' });
      expect([role, refused.status, refused.body.error.code]).toEqual([role, 403, 'FORBIDDEN']);
    }
    expect((await overview(tokens['supervisor'] ?? '')).body.operations).toBeNull();
    const operations = (await overview(tokens['admin'] ?? '')).body.operations;
    expect(operations).toMatchObject({ status: 'ok', message: null, unreadGroups: [] });
    expect(operations?.consumerGroups).toEqual([{ group, lag: 3, topics: [{ topic, lag: 3, partitions: 2 }] }]);
    expect(operations?.deadLetters).toEqual([{ topic: dlqTopic, records: 4, partitions: 2 }]);
    expect(Date.parse(operations?.readAt ?? '')).toBeGreaterThan(base - MINUTE);
  });

  it('answers a bad window or an unknown parameter with 400 naming it', async () => {
    const bad = await api.call<{ error: { code: string; message: string } }>('GET', '/v1/overview?window=2h', { token: tokens['supervisor'] ?? '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.message).toBe('invalid query: window: must be one of 1h, 6h, 24h, 7d');
    const unknown = await api.call<{ error: { message: string } }>('GET', '/v1/overview?windows=1h', { token: tokens['supervisor'] ?? '' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/windows/);
  });

  it('still answers the analytics when Kafka does not, and marks the operations unavailable', async () => {
    // A "broker" that accepts connections and never answers: the read hangs, as with a broker that is stuck.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const deadKafka = createKafka({ brokers: [`127.0.0.1:${address.port}`], clientId: 'overview-silent-broker', logger: testLogger() });
    const deadReader = createOffsetsReader(deadKafka);
    const cut = await startTestGateway({ overview: { operations: createOperationsSource({ reader: deadReader, topics: [topic], logger: testLogger(), timeoutMs: 1_000 }) } });
    try {
      const token = await signToken({ sub: 'admin-1', tenant: otherTenant, role: 'admin' });
      const started = Date.now();
      const response = await apiClient(cut.baseUrl).call<OverviewBody>('GET', '/v1/overview', { token });
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(response.body.operations).toEqual({
        status: 'unavailable',
        readAt: null,
        message: 'Kafka did not answer within 1 s: consumer lag and dead-letter sizes are unavailable right now',
        consumerGroups: [],
        deadLetters: [],
        unreadGroups: [],
      });
      // This gateway's scratch schema has no analytics rows: zeros, not an error.
      expect(response.body.totals.conversations).toBe(0);
    } finally {
      await cut.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
