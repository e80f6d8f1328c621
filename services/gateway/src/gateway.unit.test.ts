import { parseEnv } from '@supportstream/config';
import { describe, expect, it } from 'vitest';
import { hashSecret, parseApiKey } from './auth/apiKeys.js';
import { gatewayEnvSchema, settingsFromEnv } from './config.js';

const base = { GATEWAY_JWT_ISSUER: 'https://auth.test/', GATEWAY_JWT_AUDIENCE: 'gateway' };

describe('gateway configuration', () => {
  it('defaults to HS256 on 127.0.0.1:8080 and needs a long enough secret for it', () => {
    const env = parseEnv(gatewayEnvSchema, { ...base, GATEWAY_JWT_SECRET: 'x'.repeat(32) });
    expect([env.GATEWAY_HOST, env.GATEWAY_PORT, env.GATEWAY_JWT_ALGORITHMS, env.GATEWAY_READ_MODEL_SCHEMA]).toEqual(['127.0.0.1', 8080, ['HS256'], 'read_model']);
    expect(settingsFromEnv(env).jwt).toMatchObject({ algorithms: ['HS256'], tenantClaim: 'tenant_id', roleClaim: 'role', clockToleranceSeconds: 30 });
    expect(() => parseEnv(gatewayEnvSchema, { ...base, GATEWAY_JWT_SECRET: 'short' })).toThrow(/GATEWAY_JWT_SECRET="<redacted>": must be at least 32 characters/);
    expect(() => parseEnv(gatewayEnvSchema, base)).toThrow(/GATEWAY_JWT_SECRET: is required when GATEWAY_JWT_ALGORITHMS lists an HMAC algorithm/);
  });

  it('fails fast on unknown algorithms, missing iss/aud and asymmetric algorithms without a key', () => {
    expect(() => parseEnv(gatewayEnvSchema, { ...base, GATEWAY_JWT_ALGORITHMS: 'none' })).toThrow(/GATEWAY_JWT_ALGORITHMS/);
    expect(() => parseEnv(gatewayEnvSchema, { GATEWAY_JWT_SECRET: 'x'.repeat(32) })).toThrow(/GATEWAY_JWT_ISSUER[\s\S]*GATEWAY_JWT_AUDIENCE/);
    expect(() => parseEnv(gatewayEnvSchema, { ...base, GATEWAY_JWT_ALGORITHMS: 'RS256' })).toThrow(/GATEWAY_JWT_PUBLIC_KEY or GATEWAY_JWT_JWKS_URL is required/);
    const pem = '-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----';
    expect(parseEnv(gatewayEnvSchema, { ...base, GATEWAY_JWT_ALGORITHMS: 'RS256, ES256', GATEWAY_JWT_PUBLIC_KEY: pem }).GATEWAY_JWT_PUBLIC_KEY).toBe('-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----');
  });
});

describe('API key format', () => {
  it('splits sk_<keyId>_<secret> (the secret may contain _) and refuses anything else', () => {
    expect(parseApiKey('sk_0123abcd4567ef89_abc_DEF-ghi_0123456789')).toEqual({ keyId: '0123abcd4567ef89', secret: 'abc_DEF-ghi_0123456789' });
    for (const bad of ['sk_short_0123456789abcdef', 'sk_0123ABCD4567EF89_0123456789abcdef', 'pk_0123abcd4567ef89_0123456789abcdef', 'sk_0123abcd4567ef89_tooshort', 'sk_0123abcd4567ef89_has space in it!']) expect(parseApiKey(bad), bad).toBeUndefined();
  });

  it('stores the SHA-256 of the secret in hex', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
