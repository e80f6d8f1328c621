import type { Request, RequestHandler } from 'express';
import { HttpError } from '../httpErrors.js';
import type { GatewayMetrics } from '../httpMetrics.js';
import { looksLikeApiKey, parseApiKey, type ApiKeyStore } from './apiKeys.js';
import { AuthenticationError, type JwtVerifier } from './jwt.js';
import type { Principal } from './principal.js';
import { checkCsrf, clearedSessionCookie, sessionTokenOf, type SessionStore } from './session.js';

const REALM = 'supportstream';

/** The 401 of a session that no longer holds, clearing the cookie. */
const sessionEnded = (req: Request, refused: HttpError): HttpError => new HttpError(401, refused.code, refused.message, { headers: { ...refused.headers, 'Set-Cookie': clearedSessionCookie(req) } });

/** `key:<keyId>` → keyId (the credential id an API-key principal carries). */
const apiKeyIdOf = (principal: Principal): string => principal.credentialId.replace(/^key:/, '');

function unauthorized(reason: string, message: string, metrics: GatewayMetrics, withError: boolean): HttpError {
  metrics.authFailures.inc({ reason });
  // RFC 6750: no error code when no credentials were presented at all.
  const challenge = withError ? `Bearer realm="${REALM}", error="invalid_token", error_description="${message.replace(/"/g, "'")}"` : `Bearer realm="${REALM}"`;
  return new HttpError(401, 'UNAUTHENTICATED', message, { headers: { 'WWW-Authenticate': challenge } });
}

export interface CredentialOptions {
  readonly verifyJwt: JwtVerifier;
  readonly apiKeys: ApiKeyStore;
  readonly metrics: GatewayMetrics;
}

/**
 * Verifies one presented credential: an API key (`sk_…`) or a JWT. `as` says what the caller
 * presented it as: `api_key` (X-Api-Key, or the sign-in body's apiKey) must be a key, `jwt` (the
 * sign-in body's token) must not be one, `any` (a Bearer header) may be either. Failures are 401s.
 */
export async function verifyCredential(options: CredentialOptions, credential: string, as: 'api_key' | 'jwt' | 'any'): Promise<Principal> {
  const { metrics } = options;
  if (looksLikeApiKey(credential)) {
    if (as === 'jwt') throw unauthorized('malformed', 'the token is an API key; sign in with it as an API key', metrics, true);
    const parsed = parseApiKey(credential);
    if (parsed === undefined) throw unauthorized('api_key', 'the API key is malformed', metrics, true);
    const check = await options.apiKeys.verify(parsed);
    // One message for unknown, revoked and wrong secret: the caller learns nothing about which.
    if (!check.ok) throw unauthorized(`api_key_${check.reason}`, 'the API key is not valid', metrics, true);
    return check.principal;
  }
  if (as === 'api_key') throw unauthorized('api_key', 'the API key is malformed', metrics, true);
  try {
    return await options.verifyJwt(credential);
  } catch (error) {
    if (error instanceof AuthenticationError) throw unauthorized(error.reason, error.message, metrics, true);
    throw error;
  }
}

/**
 * `Authorization: Bearer <jwt>`, or an API key as `X-Api-Key: sk_…` (or `Bearer sk_…`), or else
 * the console's session cookie (then unsafe methods need the CSRF header).
 * Sets `res.locals.principal`; anything missing or invalid is a 401 with WWW-Authenticate.
 */
export function authenticate(options: CredentialOptions & { readonly sessions?: SessionStore }): RequestHandler {
  const { metrics } = options;
  return async (req, res, next) => {
    const header = req.get('Authorization');
    const apiKeyHeader = req.get('X-Api-Key');
    let credential: string | undefined;
    if (apiKeyHeader !== undefined) {
      credential = apiKeyHeader.trim();
    } else if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) throw unauthorized('malformed', 'the Authorization header must be "Bearer <token>"', metrics, true);
      credential = match[1];
    }
    const sessionToken = credential === undefined && options.sessions !== undefined ? sessionTokenOf(req) : undefined;
    if (sessionToken !== undefined && options.sessions !== undefined) {
      const session = await options.sessions.find(sessionToken);
      if (session === undefined) throw sessionEnded(req, unauthorized('session', 'the session has expired or was signed out; sign in again', metrics, true));
      // A session opened with an API key ends when the key is revoked (within the key cache's
      // lifetime), not hours later; one opened with a JWT never outlives the token (POST /v1/session).
      if (session.principal.kind === 'api_key' && !(await options.apiKeys.isActive(apiKeyIdOf(session.principal)))) {
        await options.sessions.delete(sessionToken);
        throw sessionEnded(req, unauthorized('session_key_revoked', 'the API key this session was opened with has been revoked; sign in again', metrics, true));
      }
      checkCsrf(req);
      res.locals['principal'] = session.principal;
      res.locals['session'] = { token: sessionToken, session };
      next();
      return;
    }
    if (credential === undefined || credential.length === 0) throw unauthorized('missing', 'credentials are required: a bearer token or an X-Api-Key header', metrics, false);
    res.locals['principal'] = await verifyCredential(options, credential, apiKeyHeader !== undefined ? 'api_key' : 'any');
    next();
  };
}
