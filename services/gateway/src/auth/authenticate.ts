import type { RequestHandler } from 'express';
import { HttpError } from '../httpErrors.js';
import type { GatewayMetrics } from '../httpMetrics.js';
import { looksLikeApiKey, parseApiKey, type ApiKeyStore } from './apiKeys.js';
import { AuthenticationError, type JwtVerifier } from './jwt.js';

const REALM = 'supportstream';

function unauthorized(reason: string, message: string, metrics: GatewayMetrics, withError: boolean): HttpError {
  metrics.authFailures.inc({ reason });
  // RFC 6750: no error code when no credentials were presented at all.
  const challenge = withError ? `Bearer realm="${REALM}", error="invalid_token", error_description="${message.replace(/"/g, "'")}"` : `Bearer realm="${REALM}"`;
  return new HttpError(401, 'UNAUTHENTICATED', message, { headers: { 'WWW-Authenticate': challenge } });
}

/**
 * `Authorization: Bearer <jwt>`, or an API key as `X-Api-Key: sk_…` (or `Bearer sk_…`).
 * Sets `res.locals.principal`; anything missing or invalid is a 401 with WWW-Authenticate.
 */
export function authenticate(options: { verifyJwt: JwtVerifier; apiKeys: ApiKeyStore; metrics: GatewayMetrics }): RequestHandler {
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
    if (credential === undefined || credential.length === 0) throw unauthorized('missing', 'credentials are required: a bearer token or an X-Api-Key header', metrics, false);

    if (looksLikeApiKey(credential)) {
      const parsed = parseApiKey(credential);
      if (parsed === undefined) throw unauthorized('api_key', 'the API key is malformed', metrics, true);
      const check = await options.apiKeys.verify(parsed);
      // One message for unknown, revoked and wrong secret: the caller learns nothing about which.
      if (!check.ok) throw unauthorized(`api_key_${check.reason}`, 'the API key is not valid', metrics, true);
      res.locals['principal'] = check.principal;
      next();
      return;
    }
    if (apiKeyHeader !== undefined) throw unauthorized('api_key', 'the API key is malformed', metrics, true);
    try {
      res.locals['principal'] = await options.verifyJwt(credential);
    } catch (error) {
      if (error instanceof AuthenticationError) throw unauthorized(error.reason, error.message, metrics, true);
      throw error;
    }
    next();
  };
}
