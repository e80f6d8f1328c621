// `supportstream tokens customer` against a real gateway process (services/gateway/dist, as
// production runs it): the minted token is accepted as the customer it names, and refused once
// it has expired. Nothing is published: every call stops at authentication or authorization.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { callGateway, cliPath, freePort, jwtEnvironment, startService, stopService, uniqueName, waitFor, type ServiceProcess } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const JWT = { secret: `tokens-int-${'x'.repeat(32)}`, issuer: 'supportstream-tokens-int', audience: 'supportstream-api' };
const TENANT = uniqueName('tenant');
let gateway: ServiceProcess | undefined;
let baseUrl = '';

async function mint(args: readonly string[], env: Record<string, string> = jwtEnvironment(JWT)): Promise<{ token: string; expiresAt: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, [cliPath(), 'tokens', 'customer', ...args, '--json'], { env: { ...process.env, ...env }, timeout: 30_000 });
  return JSON.parse(stdout) as { token: string; expiresAt: string };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  // The gateway reads conversations from the read model: its tables must exist (a fresh database has none).
  await promisify(execFile)(process.execPath, [cliPath(), 'db', 'migrate'], { env: process.env, timeout: 60_000 });
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // No clock tolerance, so the expiry is seen at once.
  gateway = await startService('gateway', { GATEWAY_PORT: String(port), ...jwtEnvironment(JWT), GATEWAY_JWT_CLOCK_TOLERANCE_S: '0' });
});

afterAll(async () => {
  if (gateway !== undefined) expect(await stopService(gateway)).toBe(0);
});

describe('a development customer token from the CLI', () => {
  it('is accepted by the gateway as that customer of that tenant, who cannot open the console, and refused after it expires', async () => {
    const customer = uniqueName('cust');
    const { token, expiresAt } = await mint(['--tenant', TENANT, '--customer', customer, '--ttl', '4s']);
    // Authenticated as that customer of that tenant (GET /v1/session says who a header credential is; no read model involved).
    const who = await callGateway(baseUrl, 'GET', '/v1/session', bearer(token));
    expect(who.status).toBe(200);
    expect(who.json).toMatchObject({ subject: customer, tenantId: TENANT, role: 'customer', via: 'header' });
    // The subject is the customer: writing as someone else is refused (before anything is published).
    const asOther = await callGateway(baseUrl, 'POST', '/v1/requests', bearer(token), { message: 'hello', customerId: `${customer}-other` });
    expect(asOther.status).toBe(403);
    expect(JSON.stringify(asOther.json)).toContain('a customer submits requests only as themselves');
    // The role is customer: the console's session refuses it.
    const session = await callGateway(baseUrl, 'POST', '/v1/session', {}, { token });
    expect(session.status).toBe(403);
    expect(JSON.stringify(session.json)).toContain('a customer credential cannot open the console');

    await waitFor(async () => (await callGateway(baseUrl, 'GET', '/v1/session', bearer(token))).status === 401, { timeoutMs: 15_000, description: `the token to expire at ${expiresAt}` });
    const expired = await callGateway(baseUrl, 'GET', '/v1/session', bearer(token));
    expect(expired.status).toBe(401);
    expect(JSON.stringify(expired.json)).toContain('the token has expired');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
  }, 40_000);

  it('signed with another secret than the gateway’s, is refused', async () => {
    const { token } = await mint(['--tenant', TENANT, '--customer', 'cust-1'], jwtEnvironment({ ...JWT, secret: `another-${'y'.repeat(32)}` }));
    const refused = await callGateway(baseUrl, 'GET', `/v1/conversations/${uniqueName('conv')}`, bearer(token));
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.json)).toContain('the token signature is invalid');
  });
});
