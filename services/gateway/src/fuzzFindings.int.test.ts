import { createTopics, deleteTopics, sampleContext, sampleEvent, testKafka, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.js';
import { apiClient, schemaRef, validatorFor } from './test/conformance.js';
import { signToken, startTestGateway, type TestGateway } from './test/harness.js';

// What fuzzing the gateway from its OpenAPI document found (issue 12; fuzz.int.test.ts), each
// with the check that keeps it fixed: where the document and the routes disagreed on what is
// accepted, the 5xx answers to input the document allows, and the methods and paths outside it.

interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}
type Json = Record<string, unknown>;

const requestsTopic = uniqueName('gw-findings.customer.requests');
const tenant = uniqueName('tenant-findings');
const context = sampleContext({ tenantId: tenant });
const tokens: Record<string, string> = {};
let gw: TestGateway;
let api: ReturnType<typeof apiClient>;

const doc = openApiDocument as unknown as { paths: Record<string, Record<string, { parameters?: Json[] }>>; components: { parameters: Record<string, Json> } };

/** Whether the document accepts `value` for a query or header parameter of an operation. */
function documentAccepts(path: string, name: string, value: string): boolean {
  const parameters = (doc.paths[path]?.['get'] ?? doc.paths[path]?.['post'])?.parameters ?? [];
  const parameter = parameters.map((raw) => (typeof raw['$ref'] === 'string' ? (doc.components.parameters[raw['$ref'].split('/').at(-1) ?? ''] ?? {}) : raw)).find((candidate) => candidate['name'] === name);
  if (parameter === undefined) throw new Error(`${path} has no parameter ${name}`);
  return validatorFor(parameter['schema'] as Json)(value);
}

beforeAll(async () => {
  await createTopics(testKafka(), [requestsTopic], 1, false);
  gw = await startTestGateway({ requestsTopic });
  api = apiClient(gw.baseUrl);
  await gw.seed([sampleEvent('RequestReceived', context, { customerId: 'cust-1' }), sampleEvent('AgentStepCompleted', context)]);
  tokens['supervisor'] = await signToken({ sub: 'sup@example.test', tenant, role: 'supervisor' });
  tokens['service'] = await signToken({ sub: 'svc', tenant, role: 'service' });
  tokens['admin'] = await signToken({ sub: 'admin@example.test', tenant, role: 'admin' });
});

afterAll(async () => {
  await gw?.close();
  await deleteTopics(testKafka(), [requestsTopic]);
});

describe('the document says exactly what the routes accept', () => {
  it('GET /v1/approvals?status: one status in any case; an empty value is refused by the document as by the route', async () => {
    // Before: the document took any string (`status=` included), the route answered 400.
    for (const value of ['', 'pending', 'PENDING', 'PeNdInG', 'expired', ' pending', 'waiting', 'pending,approved']) {
      const accepted = documentAccepts('/v1/approvals', 'status', value);
      const { status } = await api.call('GET', `/v1/approvals?status=${encodeURIComponent(value)}`, { token: tokens['supervisor'] });
      expect({ value, status }).toEqual({ value, status: accepted ? 200 : 400 });
    }
    expect(documentAccepts('/v1/approvals', 'status', '')).toBe(false);
    expect(documentAccepts('/v1/approvals', 'status', 'rEjEcTeD')).toBe(true);
  });

  it('GET /v1/conversations?status and from/to: the same values are accepted by both', async () => {
    for (const value of ['', 'resolved', 'resolved, Received', ' in_progress ,FAILED', 'resolved,', 'nope', ',']) {
      const accepted = documentAccepts('/v1/conversations', 'status', value);
      const { status } = await api.call('GET', `/v1/conversations?status=${encodeURIComponent(value)}`, { token: tokens['supervisor'] });
      expect({ value, status }).toEqual({ value, status: accepted ? 200 : 400 });
    }
    // Before: the document took any string of up to 40 characters.
    for (const value of ['2026-01-31', '2026-01-31T12:00Z', '2026-01-31T12:00:00.123456+05:30', '2026-02-31', '2026-13-01', '2026-01-31T12:00', '2026-01-31 12:00Z', 'yesterday']) {
      const accepted = documentAccepts('/v1/conversations', 'from', value);
      const { status } = await api.call('GET', `/v1/conversations?from=${encodeURIComponent(value)}`, { token: tokens['supervisor'] });
      expect({ value, status }).toEqual({ value, status: accepted ? 200 : 400 });
    }
  });

  it('a blank message or sign-in credential, and an Idempotency-Key that is not visible ASCII, are refused by the document too', async () => {
    const submit = schemaRef('SubmitRequest');
    expect(submit({ message: ' \n\t' })).toBe(false);
    expect((await api.call('POST', '/v1/requests', { token: tokens['service'], body: { message: ' \n\t', customerId: 'cust-1' } })).status).toBe(400);
    expect(submit({ message: ' hi ' })).toBe(true);
    const signIn = schemaRef('SignIn');
    expect(signIn({ apiKey: '   ' })).toBe(false);
    expect((await api.call('POST', '/v1/session', { body: { apiKey: '   ' } })).status).toBe(400);
    expect(documentAccepts('/v1/requests', 'Idempotency-Key', 'has space')).toBe(false);
    expect(documentAccepts('/v1/requests', 'Idempotency-Key', 'key-1.2_3')).toBe(true);
    const refused = await api.call<ErrorBody>('POST', '/v1/requests', { token: tokens['service'], body: { message: 'hi', customerId: 'cust-1' }, headers: { 'idempotency-key': 'has space' } });
    expect(refused.body.error.code).toBe('INVALID_IDEMPOTENCY_KEY');
  });

  it('dead-letter partitions: the document stops at 1 000 000, as the dead-letter console does', () => {
    const partition = (doc.paths['/v1/admin/dead-letters/{topic}/{partition}/{offset}/replay']?.['post']?.parameters ?? []).find((parameter) => parameter['name'] === 'partition');
    const accepts = validatorFor(partition?.['schema'] as Json);
    expect(['0', '7', '999999', '1000000'].map((value) => accepts(value))).toEqual([true, true, true, true]);
    expect(['1000001', '2000000', '9999999', '-1', ''].map((value) => accepts(value))).toEqual([false, false, false, false, false]);
  });
});

describe('input the document allows is never a 5xx', () => {
  it('a path segment that is not valid percent-encoding is a 400 (it was a 500)', async () => {
    for (const path of ['/v1/conversations/%ZZ', '/v1/conversations/%E0%A4/events', '/v1/approvals/%/decision']) {
      const response = await api.call<ErrorBody>(path.endsWith('decision') ? 'POST' : 'GET', path, { token: tokens['supervisor'], ...(path.endsWith('decision') ? { body: { decision: 'APPROVED' } } : {}) });
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({ path, status: 400, code: 'MALFORMED_PATH' });
    }
  });

  it('a seq past bigint is after every event: an empty page (it was a 500)', async () => {
    for (const path of ['events', 'history']) {
      const response = await api.call<{ events: unknown[]; nextAfter: string | null }>('GET', `/v1/conversations/${context.conversationId}/${path}?after=9999999999999999999`, { token: tokens['supervisor'] });
      expect({ path, status: response.status, events: response.body.events, nextAfter: response.body.nextAfter }).toEqual({ path, status: 200, events: [], nextAfter: null });
    }
    const all = await api.call<{ events: unknown[] }>('GET', `/v1/conversations/${context.conversationId}/events?after=0000000000000000000`, { token: tokens['supervisor'] });
    expect(all.body.events).toHaveLength(2);
  });

  it('from/to past the years PostgreSQL keeps leave nothing out (it was a 500)', async () => {
    for (const query of ['from=0000-01-01', 'from=0001-01-01T00:30%2B01:00', 'to=9999-12-31T23:59:59.999999-23:59', 'from=0000-01-01&to=9999-12-31T23:59-23:59']) {
      const response = await api.call<{ conversations: { conversationId: string }[] }>('GET', `/v1/conversations?${query}`, { token: tokens['supervisor'] });
      expect({ query, status: response.status, ids: response.body.conversations.map((conversation) => conversation.conversationId) }).toEqual({ query, status: 200, ids: [context.conversationId] });
    }
  });

  it('a dead-letter offset that is not digits is a 400 naming it (the int64 check threw: a 500)', async () => {
    const response = await api.call<ErrorBody>('POST', `/v1/admin/dead-letters/customer.requests.dlq/0/${encodeURIComponent('😀')}/replay`, { token: tokens['admin'] });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('invalid path: offset: must be an offset (digits)');
  });
});

describe('methods and paths outside the document', () => {
  it('a method the path does not list is a 405 with Allow (it was a 404); OPTIONS is a 204 with Allow; HEAD is GET without the body', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/v1/approvals', 'GET, HEAD, OPTIONS'],
      ['DELETE', `/v1/conversations/${context.conversationId}`, 'GET, HEAD, OPTIONS'],
      ['GET', '/v1/approvals/appr-1/decision', 'POST, OPTIONS'],
      ['PATCH', '/v1/session', 'POST, GET, DELETE, HEAD, OPTIONS'],
      ['POST', '/health', 'GET, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      // Before credentials: the method is wrong whoever asks.
      const response = await api.call<ErrorBody>(method, path);
      expect({ method, path, status: response.status, allow: response.headers.get('allow'), code: response.body.error.code }).toEqual({ method, path, status: 405, allow, code: 'METHOD_NOT_ALLOWED' });
    }
    const options = await api.call('OPTIONS', '/v1/approvals');
    expect([options.status, options.headers.get('allow'), options.text]).toEqual([204, 'GET, HEAD, OPTIONS', '']);
    const head = await api.call('HEAD', '/v1/approvals', { token: tokens['supervisor'] });
    expect([head.status, head.headers.get('content-type'), head.text]).toEqual([200, 'application/json; charset=utf-8', '']);
    const responses = (openApiDocument as unknown as { components: { responses: Record<string, { headers?: Record<string, unknown> }> } }).components.responses;
    expect(Object.keys(responses['MethodNotAllowed']?.headers ?? {})).toContain('Allow');
  });

  it('paths match exactly as documented: a trailing slash or another case is a 404 (they were served)', async () => {
    for (const path of ['/v1/approvals/', '/V1/APPROVALS', '/v1/Approvals', `/v1/conversations/${context.conversationId}/`]) {
      const response = await api.call<ErrorBody>('GET', path, { token: tokens['supervisor'] });
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
    }
  });
});
