import { freePort, sampleContext, sampleEvent, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.js';
import { apiClient, validatorFor } from './test/conformance.js';
import { signToken, startTestGateway, type TestGateway } from './test/harness.js';

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
const tenant = uniqueName('tenant-ops');

beforeAll(async () => {
  gw = await startTestGateway({ settings: { rateLimitPerMinute: 3 } });
  api = apiClient(gw.baseUrl);
});

afterAll(async () => {
  await gw.close();
});

describe('operations', () => {
  it('GET /health and GET /ready answer without credentials', async () => {
    expect((await api.call('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await api.call<{ status: string; components: Record<string, { status: string }> }>('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(Object.fromEntries(Object.entries(ready.body.components).map(([name, component]) => [name, component.status]))).toEqual({ kafka: 'up', postgres: 'up', redis: 'up', schemaRegistry: 'up' });
  });

  it('GET /ready answers 503 naming the dependency that is down', async () => {
    const broken = await startTestGateway({ redisUrl: `redis://127.0.0.1:${await freePort()}` });
    try {
      const ready = await apiClient(broken.baseUrl).call<{ status: string; components: Record<string, { status: string }> }>('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('unavailable');
      expect(ready.body.components['redis']?.status).toBe('down');
      expect(ready.body.components['postgres']?.status).toBe('up');
      expect(ready.body.components['kafka']?.status).toBe('up');
    } finally {
      await broken.close();
    }
  });

  it('rate-limits per credential: 429 with Retry-After after N requests per minute; an API key may carry its own limit', async () => {
    const token = await signToken({ sub: uniqueName('sup'), tenant, role: 'supervisor' });
    const path = `/v1/conversations/${uniqueName('conv')}`;
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof api.call>> | undefined;
    for (let i = 0; i < 4; i += 1) {
      last = await api.call('GET', path, { token });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last?.headers.get('ratelimit-limit')).toBe('3');
    expect(last?.headers.get('ratelimit-remaining')).toBe('0');
    // Someone else's budget is untouched.
    const other = await signToken({ sub: uniqueName('sup'), tenant, role: 'supervisor' });
    expect((await api.call('GET', path, { token: other })).status).toBe(404);

    const { key } = await gw.insertApiKey({ tenant, role: 'service', rate: 5 });
    const keyed: number[] = [];
    for (let i = 0; i < 6; i += 1) keyed.push((await api.call('GET', path, { apiKey: key })).status);
    expect(keyed).toEqual([404, 404, 404, 404, 404, 429]);
    expect(await (await fetch(`${gw.baseUrl}/metrics`)).text()).toMatch(/gateway_rate_limited_total\{kind="requests"\} [2-9]/);
  });

  it('GET /metrics has the request histogram by route pattern, never by raw path', async () => {
    const token = await signToken({ sub: uniqueName('sup'), tenant, role: 'supervisor' });
    const id = uniqueName('conv-metric');
    await api.call('GET', `/v1/conversations/${id}`, { token });
    const metrics = await api.call('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/conversations\/:id",status="404"\}/);
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]/);
    expect(metrics.text).toContain('gateway_auth_failures_total');
    expect(metrics.text).not.toContain(id);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${gw.baseUrl}/v1/requests`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' } });
    const allowed = await preflight('https://console.example.test');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.test');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const refused = await preflight('https://evil.example.test');
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-methods')).toBeNull();

    const simple = await api.call('GET', '/health', { headers: { origin: 'https://console.example.test' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://console.example.test');
    expect(simple.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });

  it('echoes a sane X-Request-Id (else makes one), puts it in errors, and sets the basic security headers', async () => {
    const echoed = await api.call<{ error: { requestId: string } }>('GET', '/v1/approvals', { headers: { 'x-request-id': 'trace-123.abc' } });
    expect(echoed.status).toBe(401);
    expect(echoed.headers.get('x-request-id')).toBe('trace-123.abc');
    expect(echoed.body.error.requestId).toBe('trace-123.abc');
    const replaced = await api.call('GET', '/health', { headers: { 'x-request-id': 'has spaces and is not fine'.repeat(10) } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const made = await api.call('GET', '/health');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.headers.get('x-request-id')).not.toBe(replaced.headers.get('x-request-id'));
    expect(made.headers.get('x-content-type-options')).toBe('nosniff');
    expect(made.headers.get('x-frame-options')).toBe('DENY');
    expect(made.headers.get('referrer-policy')).toBe('no-referrer');
    expect(made.headers.get('x-powered-by')).toBeNull();

    // A path of the document with a method it does not list: 405 with Allow (fuzz.int.test found 404 here).
    const otherMethod = await api.call<{ error: { code: string } }>('DELETE', '/v1/requests');
    expect(otherMethod.status).toBe(405);
    expect(otherMethod.headers.get('allow')).toBe('POST, OPTIONS');
    expect(otherMethod.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect((await api.call('GET', '/nowhere')).status).toBe(404);
  });

  it('answers an unexpected failure with a generic 500: no stack, no internals', async () => {
    const failing = await startTestGateway({
      wrapReadModel: (readModel) => ({
        ...readModel,
        getConversation: () => Promise.reject(new Error('relation "secret_internal_table" does not exist')),
      }),
    });
    try {
      const context = sampleContext({ tenantId: tenant });
      await failing.seed([sampleEvent('RequestReceived', context)]);
      const token = await signToken({ sub: 'sup', tenant, role: 'supervisor' });
      const response = await apiClient(failing.baseUrl).call<{ error: { code: string; message: string; requestId: string } }>('GET', `/v1/conversations/${context.conversationId}`, { token });
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe('INTERNAL');
      expect(response.body.error.requestId).toBe(response.headers.get('x-request-id'));
      expect(response.text).not.toContain('secret_internal_table');
      expect(response.text).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
    } finally {
      await failing.close();
    }
  });
});

describe('the OpenAPI document', () => {
  const PUBLIC = new Set(['health', 'ready', 'metrics', 'openApiDocument', 'createSession']);
  type Operation = { operationId?: string; summary?: string; security?: unknown[]; parameters?: { $ref?: string; name?: string; in?: string }[]; responses?: Record<string, { $ref?: string; description?: string }> };
  const doc = openApiDocument as unknown as { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, Record<string, unknown>>> };

  it('is served at /openapi.json', async () => {
    const response = await api.call('GET', '/openapi.json');
    expect(response.body).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
    expect(doc.openapi).toBe('3.1.0');
  });

  it('lints: every operation has an id, a summary, responses and security (unless public); every $ref resolves; every schema compiles', () => {
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.operationId, where).toMatch(/^[a-zA-Z]+$/);
        expect(ids.has(operation.operationId ?? ''), `${where}: duplicate operationId`).toBe(false);
        ids.add(operation.operationId ?? '');
        expect(operation.summary, where).toBeTruthy();
        expect(Object.keys(operation.responses ?? {}).length, where).toBeGreaterThan(0);
        const statuses = Object.keys(operation.responses ?? {});
        if (PUBLIC.has(operation.operationId ?? '')) {
          expect(operation.security, where).toEqual([]);
        } else {
          expect(operation.security, where).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }, { sessionCookie: [] }]);
          expect(statuses, where).toEqual(expect.arrayContaining(['401', '429', '500', '503']));
        }
        const declared = new Set((operation.parameters ?? []).map((parameter) => (parameter.$ref ? (doc.components['parameters']?.[parameter.$ref.split('/').at(-1) ?? ''] as { name: string; in: string }) : parameter)).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name));
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) expect(declared.has(name ?? ''), `${where}: path parameter ${name} is declared`).toBe(true);
      }
    }
    const refs = [...JSON.stringify(openApiDocument).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const target = ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], openApiDocument);
      expect(target, `#/${ref}`).toBeDefined();
    }
    for (const name of Object.keys(doc.components['schemas'] ?? {})) expect(() => validatorFor({ $ref: `#/components/schemas/${name}` }), name).not.toThrow();
  });

  it('documents exactly the routes the app serves', () => {
    const router = (gw.gateway.app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
    const served = router.stack
      .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).filter((method) => method !== '_all').map((method) => `${method.toUpperCase()} ${layer.route?.path.replace(/:(\w+)/g, '{$1}') ?? ''}`) : []))
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(served).toEqual(documented);
  });
});
