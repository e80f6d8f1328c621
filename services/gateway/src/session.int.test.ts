import { createHash } from 'node:crypto';
import { stackConfig, uniqueName, waitFor } from '@supportstream/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { signToken, startTestGateway, type TestGateway } from './test/harness.js';

interface SessionBody {
  subject: string;
  role: string;
  tenantId: string;
  kind: string;
  via: string;
  expiresAt: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

const CSRF = { 'x-supportstream-csrf': '1' };
const tenant = uniqueName('tenant-session');
let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
let redis: Redis;

beforeAll(async () => {
  gw = await startTestGateway({ settings: { sessionTtlSeconds: 600 } });
  api = apiClient(gw.baseUrl);
  redis = new Redis(stackConfig().REDIS_URL);
});

afterAll(async () => {
  redis.disconnect();
  await gw.close();
});

/** The cookie of a Set-Cookie answer as a browser would send it back, and its attributes. */
function cookieOf(headers: Headers): { cookie: string; token: string; attributes: string[] } {
  const setCookie = headers.getSetCookie();
  expect(setCookie).toHaveLength(1);
  const [pair = '', ...attributes] = (setCookie[0] ?? '').split(';').map((part) => part.trim());
  const [name, token = ''] = pair.split('=');
  expect(name).toBe('supportstream_session');
  return { cookie: pair, token, attributes };
}

const signIn = (body: unknown, client = api) => client.call<SessionBody & ErrorBody>('POST', '/v1/session', { body });

describe('console sign-in (POST /v1/session)', () => {
  it('exchanges a supervisor API key for an HTTP-only, SameSite=Strict cookie that holds neither the key nor its secret', async () => {
    const { keyId, key } = await gw.insertApiKey({ tenant, role: 'supervisor' });
    const signed = await signIn({ apiKey: key });
    expect(signed.status).toBe(201);
    expect(signed.body).toEqual({ subject: `apikey:${keyId}`, role: 'supervisor', tenantId: tenant, kind: 'api_key', via: 'cookie', expiresAt: expect.any(String) as string });
    const { cookie, token, attributes } = cookieOf(signed.headers);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict']));
    expect(attributes.some((attribute) => attribute === 'Secure')).toBe(false); // plain http here; https sets it
    const maxAge = Number(attributes.find((attribute) => attribute.startsWith('Max-Age='))?.slice('Max-Age='.length));
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(Date.parse(signed.body.expiresAt ?? '') - Date.now()).toBeLessThanOrEqual(600_000);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain(token);
    // Redis holds the session under the token's hash, and never the key.
    const stored = await redis.get(`supportstream:gateway:session:${createHash('sha256').update(token).digest('hex')}`);
    expect(stored).toContain(`apikey:${keyId}`);
    expect(stored).not.toContain(key.split('_').at(-1));
    expect(await redis.get(`supportstream:gateway:session:${token}`)).toBeNull();

    // The cookie is a credential like the key: who am I, and the tenant's approvals.
    const me = await api.call<SessionBody>('GET', '/v1/session', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(signed.body);
    expect(me.headers.get('ratelimit-limit')).toBe('1000');
    const approvals = await api.call<{ approvals: unknown[] }>('GET', '/v1/approvals?status=pending', { headers: { cookie } });
    expect(approvals.status).toBe(200);
    expect(approvals.body.approvals).toEqual([]);
  });

  it('opens a session with a supervisor JWT that never outlives the token', async () => {
    const token = await signToken({ sub: 'sam@example.test', tenant, role: 'supervisor' }, { expiresIn: 120 });
    const signed = await signIn({ token });
    expect(signed.status).toBe(201);
    expect(signed.body).toMatchObject({ subject: 'sam@example.test', role: 'supervisor', tenantId: tenant, kind: 'jwt', via: 'cookie' });
    const { attributes } = cookieOf(signed.headers);
    const maxAge = Number(attributes.find((attribute) => attribute.startsWith('Max-Age='))?.slice('Max-Age='.length));
    expect(maxAge).toBeGreaterThan(100);
    expect(maxAge).toBeLessThanOrEqual(120);
  });

  it('refuses a customer credential with 403 and sets no cookie', async () => {
    const token = await signToken({ sub: 'cust-42', tenant, role: 'customer' });
    const refused = await signIn({ token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(refused.body.error.message).toMatch(/customer credential cannot open the console/);
    expect(refused.headers.getSetCookie()).toEqual([]);
  });

  it('refuses invalid credentials (401 with a challenge) and malformed bodies (400, 415), setting no cookie', async () => {
    const { key } = await gw.insertApiKey({ tenant, role: 'supervisor' });
    const unauthenticated = [
      await signIn({ apiKey: `${key.slice(0, -4)}AAAA` }),
      await signIn({ apiKey: 'sk_nope' }),
      await signIn({ apiKey: await signToken({ sub: 'sam', tenant, role: 'supervisor' }) }),
      await signIn({ token: key }),
      await signIn({ token: await signToken({ sub: 'sam', tenant, role: 'supervisor' }, { expiresIn: -120 }) }),
      await signIn({ token: 'not-a-jwt' }),
    ];
    for (const response of unauthenticated) {
      expect(response.status, response.text).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="supportstream", error="invalid_token"/);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const malformed = [await signIn({}), await signIn({ apiKey: key, token: 'x' }), await signIn({ apiKey: '   ' }), await signIn({ apiKey: key, tenantId: 'other' }), await signIn('just a string')];
    for (const response of malformed) {
      expect(response.status, response.text).toBe(400);
      expect(response.body.error.message.length).toBeGreaterThan(10);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    expect((await api.call('POST', '/v1/session', { rawBody: `apiKey=${key}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
  });
});

describe('the session cookie as a credential', () => {
  it('needs X-SupportStream-CSRF: 1 for unsafe methods; header credentials take precedence over it', async () => {
    const { key } = await gw.insertApiKey({ tenant, role: 'supervisor' });
    const { cookie } = cookieOf((await signIn({ apiKey: key })).headers);
    const decision = { decision: 'APPROVED' };
    const withoutHeader = await api.call<ErrorBody>('POST', `/v1/approvals/${uniqueName('appr')}/decision`, { headers: { cookie }, body: decision });
    expect(withoutHeader.status).toBe(403);
    expect(withoutHeader.body.error.code).toBe('CSRF_HEADER_REQUIRED');
    expect(withoutHeader.body.error.message).toContain('X-SupportStream-CSRF: 1');
    const wrongValue = await api.call<ErrorBody>('POST', `/v1/approvals/${uniqueName('appr')}/decision`, { headers: { cookie, 'x-supportstream-csrf': 'yes' }, body: decision });
    expect(wrongValue.status).toBe(403);
    // With the header, the request is authenticated and reaches the route: this approval does not exist.
    expect((await api.call('POST', `/v1/approvals/${uniqueName('appr')}/decision`, { headers: { cookie, ...CSRF }, body: decision })).status).toBe(404);

    // An explicit credential wins: a customer token with a supervisor's cookie is a customer.
    const customer = await signToken({ sub: 'cust-1', tenant, role: 'customer' });
    const asCustomer = await api.call<SessionBody>('GET', '/v1/session', { headers: { cookie }, token: customer });
    expect(asCustomer.body).toMatchObject({ subject: 'cust-1', role: 'customer', via: 'header', expiresAt: null });
    expect((await api.call('GET', '/v1/approvals', { headers: { cookie }, token: customer })).status).toBe(403);
    // Header credentials need no CSRF header (a cross-site page cannot set them either).
    expect((await api.call('POST', `/v1/approvals/${uniqueName('appr')}/decision`, { apiKey: key, body: decision })).status).toBe(404);
  });

  it('a session opened with an API key ends when the key is revoked, and is deleted from Redis', async () => {
    const { key, keyId } = await gw.insertApiKey({ tenant, role: 'supervisor' });
    const { cookie, token } = cookieOf((await signIn({ apiKey: key })).headers);
    expect((await api.call('GET', '/v1/approvals', { headers: { cookie } })).status).toBe(200);
    await gw.revokeApiKey(keyId);
    // The harness caches key rows for 100 ms: the revocation holds within it.
    await waitFor(async () => (await api.call('GET', '/v1/approvals', { headers: { cookie } })).status === 401, { timeoutMs: 5_000, description: 'the session of the revoked key to be refused' });
    const after = await api.call<ErrorBody>('GET', '/v1/session', { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(after.headers.getSetCookie()[0]).toMatch(/^supportstream_session=;/);
    expect(await redis.get(`supportstream:gateway:session:${createHash('sha256').update(token).digest('hex')}`)).toBeNull();
  });

  it('sign-out (DELETE /v1/session) ends the session: the old cookie is refused and cleared', async () => {
    const { key } = await gw.insertApiKey({ tenant, role: 'admin' });
    const { cookie } = cookieOf((await signIn({ apiKey: key })).headers);
    expect((await api.call('DELETE', '/v1/session', { headers: { cookie } })).status).toBe(403);
    expect((await api.call('GET', '/v1/session', { headers: { cookie } })).status).toBe(200);

    const out = await api.call('DELETE', '/v1/session', { headers: { cookie, ...CSRF } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^supportstream_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);

    const after = await api.call<ErrorBody>('GET', '/v1/session', { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/session has expired or was signed out/);
    expect(after.headers.getSetCookie()[0]).toMatch(/^supportstream_session=;/);
    expect((await api.call('GET', '/v1/approvals', { headers: { cookie } })).status).toBe(401);
    // The key itself still works; a forged cookie does not.
    expect((await api.call('GET', '/v1/session', { apiKey: key })).body).toMatchObject({ via: 'header', role: 'admin' });
    expect((await api.call('GET', '/v1/session', { headers: { cookie: `supportstream_session=${'A'.repeat(43)}` } })).status).toBe(401);
    expect((await api.call('GET', '/v1/session', { headers: { cookie: 'supportstream_session=%zz' } })).status).toBe(401);
  });

  it('expires after GATEWAY_SESSION_TTL_S, and sign-in counts against the credential’s rate limit', async () => {
    const short = await startTestGateway({ settings: { sessionTtlSeconds: 1, rateLimitPerMinute: 3 } });
    try {
      const client = apiClient(short.baseUrl);
      const { key } = await short.insertApiKey({ tenant, role: 'supervisor' });
      const { cookie } = cookieOf((await signIn({ apiKey: key }, client)).headers);
      expect((await client.call('GET', '/v1/session', { headers: { cookie } })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect((await client.call('GET', '/v1/session', { headers: { cookie } })).status).toBe(401);
      // A refused cookie is not the key's request; a second sign-in is, and the fourth request is refused.
      expect((await signIn({ apiKey: key }, client)).status).toBe(201);
      const limited = await signIn({ apiKey: key }, client);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.headers.getSetCookie()).toEqual([]);
    } finally {
      await short.close();
    }
  });
});
