import { sampleContext, sampleEvent, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { startTestGateway, signToken, type TestGateway } from './test/harness.js';
import { readBetween, topicEnd } from './test/kafkaTail.js';

interface Accepted {
  conversationId: string;
  requestId: string;
  eventId: string;
}
interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
}

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
const tenant = uniqueName('tenant-req');
let service: string;

beforeAll(async () => {
  gw = await startTestGateway();
  api = apiClient(gw.baseUrl);
  service = await signToken({ sub: 'ingest-service', tenant, role: 'service' });
});

afterAll(async () => {
  await gw.close();
});

describe('POST /v1/requests', () => {
  it('produces exactly one RequestReceived on customer.requests with the caller’s tenant; an Idempotency-Key gives the same ids', async () => {
    const customerId = uniqueName('cust');
    const mark = await topicEnd('customer.requests');

    const first = await api.call<Accepted>('POST', '/v1/requests', {
      token: service,
      body: { message: 'My order #1001 arrived broken.', customerId, channel: 'EMAIL', customerTier: 'VIP', subject: 'Broken order', locale: 'en-GB', attributes: { orderId: '1001' } },
    });
    expect(first.status).toBe(202);
    expect(first.headers.get('location')).toBe(`/v1/conversations/${first.body.conversationId}`);

    const key = uniqueName('idempotency');
    const retry = { token: service, body: { message: 'Where is my refund?', customerId }, headers: { 'idempotency-key': key } };
    const once = await api.call<Accepted>('POST', '/v1/requests', retry);
    const again = await api.call<Accepted>('POST', '/v1/requests', retry);
    const otherKey = await api.call<Accepted>('POST', '/v1/requests', { ...retry, headers: { 'idempotency-key': `${key}-2` } });
    expect(once.status).toBe(202);
    expect(again.body).toEqual(once.body);
    expect(otherKey.body.eventId).not.toBe(once.body.eventId);
    expect(otherKey.body.conversationId).not.toBe(once.body.conversationId);

    const records = await readBetween('customer.requests', mark, await topicEnd('customer.requests'));
    const firstEvents = records.filter((record) => record.event.metadata.conversationId === first.body.conversationId);
    expect(firstEvents).toHaveLength(1);
    expect(firstEvents[0]?.event).toMatchObject({
      type: 'RequestReceived',
      metadata: { eventId: first.body.eventId, requestId: first.body.requestId, tenantId: tenant, producer: 'gateway', causationId: null, correlationId: first.body.requestId },
      data: { message: 'My order #1001 arrived broken.', customerId, channel: 'EMAIL', customerTier: 'VIP', subject: 'Broken order', locale: 'en-GB', attributes: { orderId: '1001' } },
    });
    // The retry was published again, under the same event id: consumers drop it as a duplicate.
    const retried = records.filter((record) => record.event.metadata.conversationId === once.body.conversationId);
    expect(retried.map((record) => record.event.metadata.eventId)).toEqual([once.body.eventId, once.body.eventId]);
    expect(retried[0]?.event.data).toMatchObject({ channel: 'API', customerTier: 'STANDARD', subject: null, locale: null, attributes: {} });
  });

  it('takes the customer from a customer’s token and continues their conversation with its tier', async () => {
    const alice = uniqueName('alice');
    const context = sampleContext({ tenantId: tenant });
    await gw.seed([sampleEvent('RequestReceived', context, { customerId: alice, customerTier: 'PREMIUM' })]);
    const token = await signToken({ sub: alice, tenant, role: 'customer' });

    const response = await api.call<Accepted>('POST', '/v1/requests', { token, body: { message: 'Any news?', conversationId: context.conversationId } });
    expect(response.status).toBe(202);
    expect(response.body.conversationId).toBe(context.conversationId);
    const event = gw.published.find((published) => published.metadata.eventId === response.body.eventId);
    expect(event).toMatchObject({ metadata: { tenantId: tenant, conversationId: context.conversationId }, data: { customerId: alice, customerTier: 'PREMIUM', message: 'Any news?' } });

    const bob = await signToken({ sub: uniqueName('bob'), tenant, role: 'customer' });
    const foreign = await api.call<ErrorBody>('POST', '/v1/requests', { token: bob, body: { message: 'Let me in', conversationId: context.conversationId } });
    expect(foreign.status).toBe(404);
    const otherTenant = await signToken({ sub: 'svc', tenant: uniqueName('tenant-other'), role: 'service' });
    const crossTenant = await api.call<ErrorBody>('POST', '/v1/requests', { token: otherTenant, body: { message: 'Let me in', customerId: alice, conversationId: context.conversationId } });
    expect(crossTenant.status).toBe(404);
  });

  it('refuses malformed input with a 4xx and a message, and publishes nothing', async () => {
    const before = gw.published.length;
    const customer = await signToken({ sub: uniqueName('carol'), tenant, role: 'customer' });
    const supervisor = await signToken({ sub: 'sup', tenant, role: 'supervisor' });
    const cases: { name: string; status: number; code: string; mentions?: string; call: Parameters<typeof api.call>[2] }[] = [
      { name: 'bad JSON', status: 400, code: 'MALFORMED_JSON', call: { token: service, rawBody: '{"message": "hi", ' } },
      { name: 'a JSON string instead of an object', status: 400, code: 'MALFORMED_JSON', call: { token: service, rawBody: '"hello"' } },
      { name: 'no body', status: 400, code: 'VALIDATION_FAILED', call: { token: service } },
      { name: 'missing message', status: 400, code: 'VALIDATION_FAILED', mentions: 'message', call: { token: service, body: { customerId: 'c1' } } },
      { name: 'empty message', status: 400, code: 'VALIDATION_FAILED', mentions: 'message', call: { token: service, body: { message: '   ', customerId: 'c1' } } },
      { name: 'wrong types', status: 400, code: 'VALIDATION_FAILED', mentions: 'message', call: { token: service, body: { message: 42, customerId: ['c1'] } } },
      { name: 'bad channel', status: 400, code: 'VALIDATION_FAILED', mentions: 'channel', call: { token: service, body: { message: 'hi', customerId: 'c1', channel: 'FAX' } } },
      { name: 'message too long', status: 400, code: 'VALIDATION_FAILED', mentions: 'message', call: { token: service, body: { message: 'x'.repeat(10_001), customerId: 'c1' } } },
      { name: 'body too large', status: 413, code: 'PAYLOAD_TOO_LARGE', call: { token: service, body: { message: 'x'.repeat(70_000), customerId: 'c1' } } },
      { name: 'a tenant in the body', status: 400, code: 'VALIDATION_FAILED', mentions: 'tenantId', call: { token: service, body: { message: 'hi', customerId: 'c1', tenantId: 'someone-else' } } },
      { name: 'too many attributes', status: 400, code: 'VALIDATION_FAILED', mentions: 'attributes', call: { token: service, body: { message: 'hi', customerId: 'c1', attributes: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) } } },
      { name: 'no customer from a service', status: 400, code: 'VALIDATION_FAILED', mentions: 'customerId', call: { token: service, body: { message: 'hi' } } },
      { name: 'not JSON', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', call: { token: service, rawBody: 'message=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } } },
      { name: 'a bad Idempotency-Key', status: 400, code: 'INVALID_IDEMPOTENCY_KEY', call: { token: service, body: { message: 'hi', customerId: 'c1' }, headers: { 'idempotency-key': 'k'.repeat(201) } } },
      { name: 'a customer setting their tier', status: 403, code: 'FORBIDDEN', call: { token: customer, body: { message: 'hi', customerTier: 'VIP' } } },
      { name: 'a customer writing as another', status: 403, code: 'FORBIDDEN', call: { token: customer, body: { message: 'hi', customerId: 'someone-else' } } },
      { name: 'a supervisor submitting', status: 403, code: 'FORBIDDEN', call: { token: supervisor, body: { message: 'hi', customerId: 'c1' } } },
      { name: 'an unknown conversation', status: 404, code: 'NOT_FOUND', call: { token: service, body: { message: 'hi', customerId: 'c1', conversationId: uniqueName('conv-missing') } } },
    ];
    for (const testCase of cases) {
      const response = await api.call<ErrorBody>('POST', '/v1/requests', testCase.call);
      expect({ name: testCase.name, status: response.status, code: response.body.error.code }).toEqual({ name: testCase.name, status: testCase.status, code: testCase.code });
      expect(response.body.error.message.length).toBeGreaterThan(5);
      expect(response.body.error.requestId).toBe(response.headers.get('x-request-id'));
      expect(response.text).not.toMatch(/\n\s+at /);
      if (testCase.mentions) expect(response.body.error.message).toContain(testCase.mentions);
    }
    expect(gw.published.length).toBe(before);
  });
});
