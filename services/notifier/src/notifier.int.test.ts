import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { createEventCodec } from '@supportstream/events';
import { createConsumerRunner, createKafka, HEADER, type ConsumerRunner } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, readTopic, sampleContext, sampleEvent, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from './notifier.js';
import { signature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook.js';

const SECRET = 'test-secret-0123456789';
const config = stackConfig();
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'notifier-test', logger: testLogger() });
const topic = uniqueName('notifications');
let db: ScratchSchema;
let server: Server;
let baseUrl: string;
let consumer: ConsumerRunner;

/** A webhook receiver: /flaky fails twice before accepting, /down fails (except ids starting with `ok-`); signatures are checked. */
const attempts: { path: string; status: number; id: string }[] = [];
const accepted: { id: string; body: Record<string, unknown> }[] = [];

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const id = String(request.headers['idempotency-key'] ?? '');
      const expected = signature(SECRET, String(request.headers[TIMESTAMP_HEADER]), body);
      const signed = request.headers[SIGNATURE_HEADER] === expected;
      const failuresSoFar = attempts.filter((attempt) => attempt.id === id && attempt.status >= 500).length;
      const status = !signed ? 401 : request.url === '/down' && !id.startsWith('ok-') ? 503 : request.url === '/flaky' && failuresSoFar < 2 ? 503 : 200;
      attempts.push({ path: request.url ?? '', status, id });
      if (status === 200) accepted.push({ id, body: JSON.parse(body) as Record<string, unknown> });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  db = await createScratchSchema('notifier');
  await runMigrations(db.pool, { schema: db.schema });
  await createTopics(testKafka(), [topic], 1);
  consumer = createConsumerRunner({
    kafka,
    codec,
    logger: testLogger(),
    metrics: createMetricsRegistry({}, false),
    groupId: uniqueName('notifier'),
    topics: [topic],
    retry: { retries: 3, minDelayMs: 20, maxDelayMs: 100 },
    handlers: createNotifier({ pool: db.pool, replyWebhookUrl: `${baseUrl}/flaky`, alertWebhookUrl: `${baseUrl}/down`, secret: SECRET, timeoutMs: 2_000, logger: testLogger(), metrics: createMetricsRegistry({}, false) }),
  });
  await consumer.start();
}, 60_000);

afterAll(async () => {
  await consumer.stop();
  await deleteTopics(testKafka(), [topic]);
  await db.drop();
  await new Promise((resolve) => server.close(resolve));
});

describe('notifier', () => {
  it('delivers a reply exactly once to a webhook that fails twice, even when the event arrives twice', async () => {
    const reply = sampleEvent('ReplyReady', sampleContext(), { replyId: uniqueName('reply'), body: 'Your refund is on its way.' });
    const bytes = await codec.encode(reply);
    await produceRaw(kafka, topic, [{ key: reply.metadata.conversationId, value: bytes }]);
    await waitFor(() => accepted.some((delivery) => delivery.id === reply.data.replyId), { timeoutMs: 20_000, description: 'the delivery' });
    // The same event again, as after a consumer crash before its offset commit.
    await produceRaw(kafka, topic, [{ key: reply.metadata.conversationId, value: bytes }]);
    const marker = sampleEvent('ReplyReady', sampleContext(), { replyId: uniqueName('marker') });
    await produceRaw(kafka, topic, [{ key: marker.metadata.conversationId, value: await codec.encode(marker) }]);
    await waitFor(() => accepted.some((delivery) => delivery.id === marker.data.replyId), { timeoutMs: 20_000, description: 'the marker after the duplicate' });

    expect(accepted.filter((delivery) => delivery.id === reply.data.replyId)).toHaveLength(1);
    expect(attempts.filter((attempt) => attempt.id === reply.data.replyId).map((attempt) => attempt.status)).toEqual([503, 503, 200]);
    expect(accepted.find((delivery) => delivery.id === reply.data.replyId)?.body).toMatchObject({ type: 'reply', body: 'Your refund is on its way.', conversationId: reply.metadata.conversationId });
  });

  it('masks personal data in an alert (staff read it), and leaves a reply to the customer as it is', async () => {
    const alert = sampleEvent('SupervisorAlert', sampleContext(), { alertId: `ok-${uniqueName('alert')}`, message: 'Customer asks to charge 4242 4242 4242 4242, mail grace@example.com' });
    await produceRaw(kafka, topic, [{ key: alert.metadata.conversationId, value: await codec.encode(alert) }]);
    await waitFor(() => accepted.some((delivery) => delivery.id === alert.data.alertId), { timeoutMs: 20_000, description: 'the alert' });
    const body = accepted.find((delivery) => delivery.id === alert.data.alertId)?.body;
    expect(body).toMatchObject({ type: 'alert', message: 'Customer asks to charge [card ••••4242], mail [email]' });
    const reply = sampleEvent('ReplyReady', sampleContext(), { replyId: uniqueName('reply'), body: 'We will refund the card ending 4242 4242 4242 4242.' });
    await produceRaw(kafka, topic, [{ key: reply.metadata.conversationId, value: await codec.encode(reply) }]);
    await waitFor(() => accepted.some((delivery) => delivery.id === reply.data.replyId), { timeoutMs: 20_000, description: 'the reply' });
    expect(accepted.find((delivery) => delivery.id === reply.data.replyId)?.body).toMatchObject({ body: 'We will refund the card ending 4242 4242 4242 4242.' });
  });

  it('dead-letters a notification after the last attempt against a webhook that keeps failing', async () => {
    const alert = sampleEvent('SupervisorAlert', sampleContext(), { alertId: uniqueName('alert') });
    await produceRaw(kafka, topic, [{ key: alert.metadata.conversationId, value: await codec.encode(alert) }]);
    const [letter] = await readTopic(testKafka(), `${topic}.dlq`, 1, 30_000);
    expect(letter?.headers).toMatchObject({ [HEADER.dlqErrorCode]: 'WEBHOOK_UNAVAILABLE', [HEADER.dlqAttempts]: '4' });
    expect(attempts.filter((attempt) => attempt.id === alert.data.alertId)).toHaveLength(4);
    expect(accepted.some((delivery) => delivery.id === alert.data.alertId)).toBe(false);
  });
});
