import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath, stackConfig, uniqueName, waitFor } from '@supportstream/testing';
import { exportSPKI, generateKeyPair, UnsecuredJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { AUDIENCE, ISSUER, signToken, startTestGateway, type TestGateway } from './test/harness.js';

const run = promisify(execFile);

interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

let gw: TestGateway;
let rsOnly: TestGateway;
let api: ReturnType<typeof apiClient>;
let rsApi: ReturnType<typeof apiClient>;
let rsKey: CryptoKey;
const tenant = uniqueName('tenant-auth');

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  rsKey = pair.privateKey;
  gw = await startTestGateway({ apiKeyCacheMs: 100 });
  rsOnly = await startTestGateway({ jwt: { algorithms: ['RS256'], secret: undefined, publicKeyPem: await exportSPKI(pair.publicKey) } });
  api = apiClient(gw.baseUrl);
  rsApi = apiClient(rsOnly.baseUrl);
});

afterAll(async () => {
  await gw.close();
  await rsOnly.close();
});

/** A supervisor reading a conversation that does not exist: 404 once authenticated, 401 before. */
const probe = (client: ReturnType<typeof apiClient>, options: { token?: string; apiKey?: string; headers?: Record<string, string> }) => client.call<ErrorBody>('GET', `/v1/conversations/${uniqueName('conv-none')}`, options);

describe('authentication', () => {
  it('refuses missing and invalid tokens with 401 and a WWW-Authenticate challenge', async () => {
    const claims = { sub: 'sup-1', tenant, role: 'supervisor' };
    const valid = await signToken(claims);
    expect((await probe(api, { token: valid })).status).toBe(404);

    const none = await probe(api, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="supportstream"');

    const unsigned = new UnsecuredJWT({ tenant_id: tenant, role: 'admin' }).setSubject('mallory').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode();
    const cases: Record<string, string> = {
      'bad signature': await signToken(claims, { key: new TextEncoder().encode('another-secret-of-at-least-32-characters') }),
      'tampered payload': `${valid.split('.')[0]}.${Buffer.from(JSON.stringify({ sub: 'sup-1', tenant_id: tenant, role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999 })).toString('base64url')}.${valid.split('.')[2]}`,
      'wrong issuer': await signToken(claims, { issuer: 'https://evil.invalid/' }),
      'wrong audience': await signToken(claims, { audience: 'another-api' }),
      expired: await signToken(claims, { expiresIn: -120 }),
      'no exp': await signToken(claims, { omitExp: true }),
      'alg none': unsigned,
      'unknown role': await signToken({ ...claims, role: 'root' }),
      'no tenant': await signToken(claims, { extraClaims: { tenant_id: undefined } }),
      garbage: 'not-a-jwt',
    };
    for (const [name, token] of Object.entries(cases)) {
      const response = await probe(api, { token });
      expect({ name, status: response.status, code: response.body.error.code }).toEqual({ name, status: 401, code: 'UNAUTHENTICATED' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="supportstream", error="invalid_token"/);
    }
    const basic = await probe(api, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);

    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    for (const reason of ['missing', 'signature', 'claims', 'expired', 'algorithm', 'malformed']) expect(metrics).toMatch(new RegExp(`gateway_auth_failures_total\\{reason="${reason}"\\} [1-9]`));
  });

  it('pins the algorithm: an HS256 token is refused where only RS256 is allowed', async () => {
    const claims = { sub: 'sup-1', tenant, role: 'supervisor' };
    expect((await probe(rsApi, { token: await signToken(claims, { alg: 'RS256', key: rsKey }) })).status).toBe(404);
    const hs = await probe(rsApi, { token: await signToken(claims) });
    expect(hs.status).toBe(401);
    expect(hs.body.error.message).toContain('algorithm');
  });
});

describe('API keys', () => {
  it('a key made with the CLI works (X-Api-Key or Bearer); a wrong secret, a revoked or unknown key gets 401', async () => {
    // The CLI writes to the scratch schema through the search path in its DATABASE_URL.
    const url = new URL(stackConfig().DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${gw.db.schema}`);
    const cli = (...args: string[]) => run(process.execPath, [cliPath(), 'apikeys', ...args], { env: { ...process.env, DATABASE_URL: url.toString() } });

    const created = JSON.parse((await cli('create', '--tenant', tenant, '--role', 'service', '--name', 'crm-sync', '--rate', '50', '--json')).stdout) as { keyId: string; key: string };
    expect(created.key).toMatch(new RegExp(`^sk_${created.keyId}_[A-Za-z0-9_-]{43}$`));
    const listed = JSON.parse((await cli('list', '--tenant', tenant, '--json')).stdout) as Record<string, unknown>[];
    expect(listed).toEqual([expect.objectContaining({ keyId: created.keyId, name: 'crm-sync', role: 'service', rateLimitPerMinute: 50, revokedAt: null })]);
    // The secret is what follows `sk_<keyId>_` (base64url: it may itself contain `_`).
    expect(JSON.stringify(listed)).not.toContain(created.key.slice(`sk_${created.keyId}_`.length));
    const stored = await gw.db.pool.query<{ secret_hash: string }>('SELECT secret_hash FROM api_keys WHERE key_id = $1', [created.keyId]);
    expect(stored.rows[0]?.secret_hash).toMatch(/^[0-9a-f]{64}$/);

    const submit = (auth: { apiKey?: string; token?: string }) => api.call<{ eventId: string }>('POST', '/v1/requests', { ...auth, body: { message: 'Sync from the CRM', customerId: 'cust-crm-1' } });
    const accepted = await submit({ apiKey: created.key });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('ratelimit-limit')).toBe('50');
    expect(gw.published.find((event) => event.metadata.eventId === accepted.body.eventId)?.metadata.tenantId).toBe(tenant);
    expect((await submit({ token: created.key })).status).toBe(202);

    const wrongSecret = `sk_${created.keyId}_${'A'.repeat(43)}`;
    for (const key of [wrongSecret, `sk_${'0'.repeat(16)}_${'B'.repeat(43)}`, 'sk_broken', 'not-even-a-key']) {
      const refused = await probe(api, { apiKey: key });
      expect({ key, status: refused.status }).toEqual({ key, status: 401 });
    }

    const revoked = await cli('revoke', created.keyId);
    expect(revoked.stdout).toContain(`revoked ${created.keyId}`);
    // The gateway caches key rows briefly (100 ms here): the revocation takes effect within that.
    await waitFor(async () => (await submit({ apiKey: created.key })).status === 401, { timeoutMs: 5_000, description: 'the revoked key to be refused' });
    await expect(cli('revoke', 'nosuchkey0')).rejects.toMatchObject({ code: 1 });
    await expect(cli('create', '--tenant', tenant, '--role', 'customer', '--name', 'x')).rejects.toMatchObject({ code: 2 });
  });
});
