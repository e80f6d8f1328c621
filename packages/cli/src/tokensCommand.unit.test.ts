import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { MAX_TTL_SECONDS, parseTtl, tokensCommand } from './tokensCommand.js';

const ENV = { GATEWAY_JWT_SECRET: 'unit-test-secret-0123456789abcdef0123', GATEWAY_JWT_ISSUER: 'supportstream-local', GATEWAY_JWT_AUDIENCE: 'supportstream-api' };
const NOW = new Date('2026-03-01T10:00:00Z');

async function run(argv: readonly string[], env: Record<string, string | undefined> = ENV) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tokensCommand(argv, { io: { print: (line) => out.push(line), error: (line) => err.push(line) }, env, now: () => NOW });
  return { code, out, err: err.join('\n') };
}

describe('supportstream tokens customer', () => {
  it('prints a customer token, alone on stdout, that verifies with the gateway settings: sub, tenant and role claims, iss, aud, exp', async () => {
    const { code, out, err } = await run(['customer', '--tenant', 'demo-tenant', '--customer', 'cust-42', '--ttl', '8h']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const token = out[0] ?? '';
    const { payload } = await jwtVerify(token, new TextEncoder().encode(ENV.GATEWAY_JWT_SECRET), { algorithms: ['HS256'], issuer: ENV.GATEWAY_JWT_ISSUER, audience: ENV.GATEWAY_JWT_AUDIENCE, currentDate: NOW });
    expect(payload).toEqual({ sub: 'cust-42', tenant_id: 'demo-tenant', role: 'customer', iss: 'supportstream-local', aud: 'supportstream-api', iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 8 * 3600 });
    expect(err).toContain('valid until 2026-03-01T18:00:00.000Z');
    expect(err).not.toContain(ENV.GATEWAY_JWT_SECRET);
  });

  it('--json: the token and what it is; the claim names and algorithm the gateway is configured with', async () => {
    const env = { ...ENV, GATEWAY_JWT_ALGORITHMS: 'RS256, HS512', GATEWAY_JWT_TENANT_CLAIM: 'org', GATEWAY_JWT_ROLE_CLAIM: 'https://example.com/role' };
    const { code, out } = await run(['customer', '--tenant', 't1', '--customer', 'c1', '--json'], env);
    expect(code).toBe(0);
    const minted = JSON.parse(out[0] ?? '{}') as Record<string, string>;
    expect(minted).toMatchObject({ tenantId: 't1', customerId: 'c1', role: 'customer', algorithm: 'HS512', issuedAt: NOW.toISOString(), expiresAt: '2026-03-01T11:00:00.000Z' });
    expect(decodeProtectedHeader(minted['token'] ?? '')).toEqual({ alg: 'HS512', typ: 'JWT' });
    expect(decodeJwt(minted['token'] ?? '')).toMatchObject({ org: 't1', 'https://example.com/role': 'customer', sub: 'c1' });
  });

  it('refuses without the secret, issuer or audience, naming the variable and where the local one is', async () => {
    const { code, out, err } = await run(['customer', '--tenant', 't', '--customer', 'c'], {});
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toContain('GATEWAY_JWT_SECRET: is not set');
    expect(err).toContain('.local/secrets.env');
    expect(err).toContain('GATEWAY_JWT_ISSUER: is not set');
    expect(err).toContain('GATEWAY_JWT_AUDIENCE: is not set');
    const short = await run(['customer', '--tenant', 't', '--customer', 'c'], { ...ENV, GATEWAY_JWT_SECRET: 'too-short' });
    expect(short.code).toBe(1);
    expect(short.err).toContain('GATEWAY_JWT_SECRET="<redacted>": must be at least 32 characters');
    const asymmetric = await run(['customer', '--tenant', 't', '--customer', 'c'], { ...ENV, GATEWAY_JWT_ALGORITHMS: 'RS256' });
    expect(asymmetric.code).toBe(1);
    expect(asymmetric.err).toContain('lists no HMAC algorithm');
  });

  it('refuses when NODE_ENV=production, even with the secret at hand', async () => {
    const { code, out, err } = await run(['customer', '--tenant', 't', '--customer', 'c'], { ...ENV, NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toContain('refused: NODE_ENV=production');
    expect(err).toContain('identity provider');
  });

  it('refuses bad arguments with the usage', async () => {
    for (const [argv, message] of [
      [['customer', '--tenant', 't'], 'needs --tenant and --customer'],
      [['customer', '--tenant', 't', '--customer', 'c d'], '--customer must be'],
      [['customer', '--tenant', 't', '--customer', 'c', '--ttl', '8'], '--ttl must be a duration'],
      [['customer', '--tenant', 't', '--customer', 'c', '--ttl', '8d'], 'at most 7d'],
      [['service', '--tenant', 't', '--customer', 'c'], 'unknown tokens action: service'],
      [['customer', '--tenant', 't', '--customer', 'c', '--role', 'admin'], "Unknown option '--role'"],
    ] as const) {
      const { code, err } = await run(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toContain(message);
      expect(err).toContain('tokens customer --tenant id --customer id');
    }
  });

  it('reads durations in seconds, minutes, hours and days, up to 7 days', () => {
    expect([parseTtl('90s'), parseTtl('30m'), parseTtl('8h'), parseTtl('2d'), parseTtl('7d')]).toEqual([90, 1_800, 28_800, 172_800, MAX_TTL_SECONDS]);
    expect([parseTtl('0s'), parseTtl('8d'), parseTtl('1w'), parseTtl('h'), parseTtl('-1h'), parseTtl('1.5h')]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
