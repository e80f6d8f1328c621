// The read side and the edges end to end: the agent services, projections, notifier and gateway as
// real processes. A customer submits through the HTTP API and follows the live stream to the reply;
// a supervisor approves through the API; webhooks, audit history and a rebuild are checked against
// what the customer saw.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool, type Pool } from '@supportstream/db';
import { TOPIC_NAMES } from '@supportstream/events';
import { createKafka, readRawToEnd } from '@supportstream/kafka';
import { Redis } from 'ioredis';
import { AGENT_SERVICES, callGateway, freePort, jwtEnvironment, signTestToken, startService, stopService, testKafka, testLogger, uniqueName, waitFor, waitUntilQuiet, watermarkProbe, type ServiceProcess } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../test/e2eSupport.js';

const JWT = { secret: 'e2e-jwt-secret-0123456789abcdefghij', issuer: 'supportstream-e2e', audience: 'supportstream-api' };
const TENANT = 'demo-tenant';
const services: ServiceProcess[] = [];
let receiver: Server;
let gateway = '';
let supervisorKey = '';
let pool: Pool;

/** A webhook receiver that fails the first two attempts of every notification, then accepts it. */
const attempts = new Map<string, number>();
const delivered: { id: string; body: { conversationId?: string; body?: string } }[] = [];

const token = (claims: { sub: string; role: string; tenant?: string }) => signTestToken(JWT, { sub: claims.sub, role: claims.role, tenant: claims.tenant ?? TENANT });
const api = (method: string, path: string, auth: Record<string, string>, body?: unknown) => callGateway(gateway, method, path, auth, body);
const bearer = async (claims: Parameters<typeof token>[0]) => ({ authorization: `Bearer ${await token(claims)}` });

interface SseMessage {
  readonly id: string;
  readonly event: string;
  readonly data: { eventId: string; type: string; seq: string; data: Record<string, unknown> };
}

/** A fetch-based SSE reader (EventSource cannot send an Authorization header). */
async function follow(path: string, auth: Record<string, string>, until: (messages: SseMessage[]) => boolean, headers: Record<string, string> = {}): Promise<SseMessage[]> {
  const controller = new AbortController();
  const response = await fetch(gateway + path, { headers: { accept: 'text/event-stream', ...auth, ...headers }, signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const messages: SseMessage[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  const deadline = setTimeout(() => controller.abort(), 90_000);
  let buffer = '';
  try {
    while (!until(messages)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const field = (name: string) => frame.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
        const data = field('data');
        if (data !== undefined) messages.push({ id: field('id') ?? '', event: field('event') ?? '', data: JSON.parse(data) as SseMessage['data'] });
      }
    }
    return messages;
  } finally {
    clearTimeout(deadline);
    controller.abort();
    await reader.cancel().catch(() => undefined);
  }
}

async function conversationOnce(id: string, auth: Record<string, string>, ready: (json: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const response = await api('GET', `/v1/conversations/${id}`, auth);
      return response.status === 200 && ready(response.json) ? response.json : undefined;
    },
    { timeoutMs: 90_000, description: `conversation ${id} in the read model` },
  );
}

beforeAll(async () => {
  await cli('db', 'migrate');
  await cli('knowledge', 'ingest');
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = String(request.headers['idempotency-key']);
      const count = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, count);
      if (count <= 2) {
        response.writeHead(503).end();
        return;
      }
      delivered.push({ id, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { conversationId?: string } });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const port = await freePort();
  gateway = `http://127.0.0.1:${port}`;
  pool = createPool(process.env['DATABASE_URL'] ?? 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream', { max: 2 });

  services.push(await startService('projections'));
  for (const name of AGENT_SERVICES) services.push(await startService(name, { KAFKA_SESSION_TIMEOUT_MS: '10000' }));
  services.push(
    await startService('notifier', { NOTIFIER_WEBHOOK_SECRET: 'e2e-webhook-secret-0123', NOTIFIER_REPLY_WEBHOOK_URL: `${hook}/replies`, NOTIFIER_ALERT_WEBHOOK_URL: `${hook}/alerts`, NOTIFIER_RETRY_MIN_MS: '100', NOTIFIER_RETRY_MAX_MS: '400' }),
  );
  services.push(
    await startService('gateway', { GATEWAY_PORT: String(port), ...jwtEnvironment(JWT), GATEWAY_RATE_LIMIT_PER_MINUTE: '600' }),
  );
  const created = JSON.parse(await cli('apikeys', 'create', '--tenant', TENANT, '--role', 'supervisor', '--name', uniqueName('e2e-supervisor'), '--json')) as { key: string };
  supervisorKey = created.key;
}, 240_000);

afterAll(async () => {
  const codes = await Promise.all(services.map((service) => stopService(service)));
  await new Promise((resolve) => receiver.close(resolve));
  await pool.end();
  expect(codes.every((code) => code === 0)).toBe(true);
}, 60_000);

describe('the read side end to end', () => {
  let answered = '';

  it('a customer submits through the API, follows the live stream to the reply, reads the conversation and its audit history', async () => {
    const customer = await bearer({ sub: 'cust-42', role: 'customer' });
    const submitted = await api('POST', '/v1/requests', customer, { message: 'How do I reset my password? I cannot sign in.', channel: 'WEB' });
    expect(submitted.status).toBe(202);
    answered = String(submitted.json['conversationId']);
    await conversationOnce(answered, customer, () => true);

    const streamed = await follow(`/v1/conversations/${answered}/stream`, customer, (messages) => messages.some((message) => message.event === 'ReplyReady') && messages.some((message) => message.event === 'RunCompleted'));
    expect(streamed[0]?.event).toBe('RequestReceived');
    expect(streamed.map((message) => message.event)).toEqual(expect.arrayContaining(['AgentStepCompleted', 'RunCompleted', 'ReplyReady']));
    const seqs = streamed.map((message) => Number(message.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const conversation = await conversationOnce(answered, customer, (json) => json['status'] === 'RESOLVED');
    expect(conversation).toMatchObject({ conversationId: answered, tenantId: TENANT, customerId: 'cust-42', outcome: 'RESOLVED' });
    expect(String(conversation['finalReply'])).toMatch(/password/i);

    // Resuming after a message: only what came after it.
    const third = streamed[2];
    const resumed = await follow(`/v1/conversations/${answered}/stream`, customer, (messages) => messages.length >= streamed.length - 3, { 'last-event-id': third?.id ?? '' });
    expect(resumed[0]?.data.eventId).toBe(streamed[3]?.data.eventId);

    // The audit history, read from Kafka itself, holds every event the API shows (and the analytics).
    const page = await api('GET', `/v1/conversations/${answered}/events?limit=500`, customer);
    const shown = (page.json['events'] as { eventId: string; topic: string }[]).map((event) => event.eventId);
    const history = await waitFor(
      async () => {
        const entries = JSON.parse(await cli('audit', 'history', answered, '--json')) as { eventId?: string; event?: { metadata: { eventId: string } } }[];
        const ids = new Set(entries.map((entry) => entry.eventId ?? entry.event?.metadata.eventId));
        return shown.every((id) => ids.has(id)) ? entries : undefined;
      },
      { timeoutMs: 30_000, description: 'the audit history to hold every event the API shows' },
    );
    expect(history.length).toBeGreaterThanOrEqual(shown.length);
    // The customer sees their request, the steps and the reply; staff also see the analytics events (metrics, model usage, outcome).
    expect(new Set((page.json['events'] as { topic: string }[]).map((event) => event.topic))).toEqual(new Set(['customer.requests', 'agent.actions', 'notifications.outbound']));
    const staffPage = await api('GET', `/v1/conversations/${answered}/events?limit=500`, { 'x-api-key': supervisorKey });
    expect(new Set((staffPage.json['events'] as { topic: string }[]).map((event) => event.topic))).toEqual(new Set(['customer.requests', 'agent.actions', 'notifications.outbound', 'system.analytics']));
  }, 180_000);

  it('a webhook receiver that fails twice gets the reply exactly once', async () => {
    const forAnswered = () => delivered.filter((entry) => entry.body.conversationId === answered);
    await waitFor(() => forAnswered().length > 0, { timeoutMs: 60_000, description: 'the reply delivered to the webhook' });
    // A duplicate would come after the first delivery (a redelivered ReplyReady, a retry after a
    // crash): count only once the outbound log and the receiver have stayed still for a while.
    const outbound = await watermarkProbe(testKafka('webhook-watermarks'), ['notifications.outbound']);
    try {
      const receiverState = () => JSON.stringify([delivered.length, [...attempts.values()].reduce((sum, count) => sum + count, 0)]);
      await waitUntilQuiet(async () => `${await outbound.read()} ${receiverState()}`, { quietMs: 5_000, timeoutMs: 60_000, description: 'notifications.outbound and the webhook receiver' });
    } finally {
      await outbound.close();
    }
    const deliveries = forAnswered();
    expect(deliveries).toHaveLength(1);
    expect(attempts.get(deliveries[0]?.id ?? '')).toBe(3);
  }, 120_000);

  it('a supervisor approves through the API and the run resumes to the end', async () => {
    const customer = await bearer({ sub: 'cust-42', role: 'customer' });
    const submitted = await api('POST', '/v1/requests', customer, { message: 'I was charged twice for order 1001. Please refund the duplicate charge.' });
    expect(submitted.status).toBe(202);
    const id = String(submitted.json['conversationId']);
    await conversationOnce(id, customer, (json) => json['status'] === 'AWAITING_APPROVAL');
    const supervisor = { 'x-api-key': supervisorKey };
    const pending = await waitFor(
      async () => {
        const listed = await api('GET', '/v1/approvals?status=pending&limit=500', supervisor);
        return (listed.json['approvals'] as { approvalId: string; conversationId: string; proposedActions: unknown[] }[] | undefined)?.find((entry) => entry.conversationId === id);
      },
      { timeoutMs: 30_000, description: 'the approval in the pending queue' },
    );
    expect(JSON.stringify(pending.proposedActions)).toContain('49990000');
    // A customer may not decide.
    expect((await api('POST', `/v1/approvals/${pending.approvalId}/decision`, customer, { decision: 'APPROVED' })).status).toBe(403);
    const decided = await api('POST', `/v1/approvals/${pending.approvalId}/decision`, supervisor, { decision: 'APPROVED', comment: 'duplicate confirmed' });
    expect(decided.status).toBe(202);
    const done = await conversationOnce(id, customer, (json) => json['status'] === 'RESOLVED_AFTER_APPROVAL');
    expect(String(done['finalReply'])).toMatch(/49[.,]99/);
    const again = await api('POST', `/v1/approvals/${pending.approvalId}/decision`, supervisor, { decision: 'REJECTED' });
    expect(again.status).toBe(409);
  }, 180_000);

  it('refuses unauthenticated and cross-tenant access; malformed input gets a 4xx with a message and changes nothing', async () => {
    expect((await api('GET', `/v1/conversations/${answered}`, {})).status).toBe(401);
    expect((await api('GET', `/v1/conversations/${answered}`, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    expect((await api('GET', `/v1/conversations/${answered}`, await bearer({ sub: 'admin-1', role: 'admin', tenant: 'another-tenant' }))).status).toBe(404);
    expect((await api('GET', `/v1/conversations/${answered}`, await bearer({ sub: 'cust-7', role: 'customer' }))).status).toBe(404);

    const tenant = uniqueName('tenant-e2e');
    const admin = await bearer({ sub: 'admin-1', role: 'admin', tenant });
    const malformed = [
      await api('POST', '/v1/requests', admin, '{"message": '),
      await api('POST', '/v1/requests', admin, { customerId: 'c-1' }),
      await api('POST', '/v1/requests', admin, { customerId: 'c-1', message: 'hi', channel: 'CARRIER_PIGEON' }),
      await api('POST', '/v1/requests', admin, { customerId: 'c-1', message: 'hi', tenantId: TENANT }),
    ];
    for (const response of malformed) {
      expect(response.status).toBe(400);
      expect(String((response.json['error'] as { message?: string } | undefined)?.message).length).toBeGreaterThan(5);
    }
    // One good request after them: when it is projected, it is the tenant's only one.
    const good = await api('POST', '/v1/requests', admin, { customerId: 'c-1', message: 'What are your opening hours?' });
    expect(good.status).toBe(202);
    await conversationOnce(String(good.json['conversationId']), admin, () => true);
    const requests = await pool.query<{ requests: string }>('SELECT requests::text FROM read_model.tenant_stats WHERE tenant_id = $1', [tenant]);
    expect(requests.rows[0]?.requests).toBe('1');
  }, 120_000);

  it('erasing a customer makes their personal fields unreadable on every topic and removes them from every store', async () => {
    const customerId = uniqueName('cust-erase');
    const email = `${customerId}@example.com`;
    const customer = await bearer({ sub: customerId, role: 'customer' });
    const phrase = 'reset my password';
    const submitted = await api('POST', '/v1/requests', customer, { message: `How do I ${phrase}? Write to ${email}, card 4111 1111 1111 1111.`, subject: `Jane ${customerId}` });
    expect(submitted.status).toBe(202);
    const id = String(submitted.json['conversationId']);
    const done = await conversationOnce(id, customer, (json) => json['status'] === 'RESOLVED');
    // Before: the customer reads their own conversation in clear; the log holds it sealed only.
    expect(String(done['lastMessage'])).toContain(phrase);
    const kafka = createKafka({ brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), clientId: 'erasure-e2e', logger: testLogger() });
    const rawRecords = async () => (await readRawToEnd(kafka, [...TOPIC_NAMES], { timeoutMs: 90_000 })).filter((record) => record.key?.toString('utf8') === id);
    const before = await rawRecords();
    expect(new Set(before.map((record) => record.topic))).toEqual(new Set(['customer.requests', 'agent.actions', 'notifications.outbound', 'system.analytics']));
    for (const record of before) {
      const bytes = record.value?.toString('latin1') ?? '';
      for (const clear of [phrase, email, '4111 1111 1111 1111', `Jane ${customerId}`]) expect(bytes, `${record.topic}@${record.offset}`).not.toContain(clear);
    }
    const sealedRequest = before.find((record) => record.topic === 'customer.requests')?.value?.toString('latin1') ?? '';
    expect(sealedRequest).toMatch(/enc:v1:[A-Za-z0-9_-]{16}:/);
    const count = async (sql: string, params: unknown[]) => Number((await pool.query<{ n: string }>(sql, params)).rows[0]?.n ?? '0');
    await waitFor(async () => ((await count('SELECT count(*)::text AS n FROM memory_vectors WHERE payload->>\'conversationId\' = $1', [id])) > 0 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'the resolution in vector memory',
    });
    expect(await count('SELECT count(*)::text AS n FROM langgraph.checkpoints WHERE thread_id = $1', [id])).toBeGreaterThan(0);

    const erased = JSON.parse(await cli('privacy', 'erase', '--tenant', TENANT, '--customer', customerId, '--by', 'e2e-dpo', '--reason', 'GDPR art. 17 request', '--json')) as Record<string, unknown>;
    expect(erased).toMatchObject({ status: 'erased', keyDeleted: true, readModel: { conversationIds: [id] } });

    // After: the log is unchanged, but what was sealed no longer opens: audit history reads [erased].
    expect((await rawRecords()).length).toBe(before.length);
    const history = JSON.parse(await cli('audit', 'history', id, '--json')) as { type?: string; data?: Record<string, unknown> }[];
    const request = history.find((entry) => entry.type === 'RequestReceived');
    expect(request?.data).toMatchObject({ customerId, message: '[erased]', subject: '[erased]' });
    const reply = history.find((entry) => entry.type === 'ReplyReady');
    expect(reply?.data).toMatchObject({ body: '[erased]' });
    expect(JSON.stringify(history)).not.toContain(phrase);
    // The read model and the API say the same; the ids and the outcome stay for the statistics.
    const after = await api('GET', `/v1/conversations/${id}`, customer);
    expect(after.json).toMatchObject({ conversationId: id, customerId, status: 'RESOLVED', lastMessage: '[erased]', subject: '[erased]', finalReply: '[erased]' });
    const events = await api('GET', `/v1/conversations/${id}/events?limit=500`, customer);
    expect(JSON.stringify(events.json)).not.toContain(phrase);
    expect(JSON.stringify(events.json)).not.toContain(email);
    // Every other store: checkpoints, session and vector memory, model-call cache and queue.
    expect(await count('SELECT count(*)::text AS n FROM langgraph.checkpoints WHERE thread_id = $1', [id])).toBe(0);
    expect(await count('SELECT count(*)::text AS n FROM langgraph.checkpoint_writes WHERE thread_id = $1', [id])).toBe(0);
    expect(await count('SELECT count(*)::text AS n FROM memory_vectors WHERE payload->>\'conversationId\' = $1', [id])).toBe(0);
    expect(await count('SELECT count(*)::text AS n FROM llm_call_cache WHERE thread_id = $1', [id])).toBe(0);
    expect(await count('SELECT count(*)::text AS n FROM conversation_queue WHERE conversation_id = $1', [id])).toBe(0);
    expect(await count('SELECT count(*)::text AS n FROM privacy_data_keys WHERE tenant_id = $1 AND customer_id = $2', [TENANT, customerId])).toBe(0);
    expect(await count('SELECT count(*)::text AS n FROM privacy_erasures WHERE tenant_id = $1 AND customer_id = $2 AND erased_by = $3', [TENANT, customerId, 'e2e-dpo'])).toBe(1);
    const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    try {
      expect(await redis.exists(`session:${TENANT}:${encodeURIComponent(customerId)}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
    // Again: nothing left to do, and nothing fails.
    expect(JSON.parse(await cli('privacy', 'erase', '--tenant', TENANT, '--customer', customerId, '--json'))).toMatchObject({ status: 'erased', keyDeleted: false });
  }, 240_000);

  it('a rebuild of the read model from offset 0 equals the live one', async () => {
    const output = await cli('projections', 'rebuild', '--target', uniqueName('e2e_rebuild').replace(/[^a-z0-9_]/g, '_'));
    expect(output).toMatch(/equals the rebuild/);
    expect(output).not.toMatch(/DIFFERS/);
  }, 180_000);
});
