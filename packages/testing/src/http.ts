import { SignJWT } from 'jose';

/** The HS256 settings a test gateway is started with (GATEWAY_JWT_SECRET, _ISSUER, _AUDIENCE). */
export interface TestJwtSettings {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
}

export interface TestTokenClaims {
  readonly sub: string;
  readonly role: string;
  readonly tenant: string;
}

/** A signed token the gateway accepts: tenant and role in the default claims, 10 minutes valid. */
export const signTestToken = (settings: TestJwtSettings, claims: TestTokenClaims): Promise<string> =>
  new SignJWT({ tenant_id: claims.tenant, role: claims.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(settings.secret));

/** The gateway's environment for those settings (startService's overrides). */
export const jwtEnvironment = (settings: TestJwtSettings): Record<string, string> => ({ GATEWAY_JWT_SECRET: settings.secret, GATEWAY_JWT_ISSUER: settings.issuer, GATEWAY_JWT_AUDIENCE: settings.audience });

export interface JsonAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

/**
 * One JSON call to a gateway: the body is sent as JSON (a string as it is, to test malformed
 * input), and the answer parsed (an empty body reads `{}`).
 */
export async function callGateway(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<JsonAnswer> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
