import { randomUUID } from 'node:crypto';
import type { Logger } from '@supportstream/observability';
import type { RequestHandler } from 'express';
import { HttpError } from './httpErrors.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** A client's request id is kept only if it is short and plain, so it is safe in logs and headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a sane incoming X-Request-Id or makes one; echoes it and gives the request a child logger. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId = incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals['requestId'] = requestId;
    res.locals['logger'] = logger.child({ requestId });
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  };
}

/** The helmet defaults that matter for a JSON API: no sniffing, no framing, no referrer, nothing cached. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Strict-Transport-Security', 'max-age=15552000; includeSubDomains');
  res.setHeader('Cache-Control', 'no-store');
  next();
};

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, Last-Event-ID, X-Api-Key, X-Request-Id';
const EXPOSED_HEADERS = 'Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id';

/**
 * CORS for the configured origins (exact match; `*` for any). Credentials travel in headers, not
 * cookies, so no Allow-Credentials. A preflight is answered here with 204; a preflight from an
 * origin that is not allowed gets 204 without the allow headers, and the browser refuses.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('Origin');
    const ok = origin !== undefined && (any || allowed.has(origin));
    if (origin !== undefined) res.vary('Origin');
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    if (req.method === 'OPTIONS' && req.get('Access-Control-Request-Method') !== undefined) {
      if (ok) {
        res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}

/** POST bodies must be JSON: anything else is refused before it is read. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.get('Content-Length') !== undefined ? req.get('Content-Length') !== '0' : req.get('Transfer-Encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `the body must be application/json, not ${req.get('Content-Type') ?? 'untyped'}`);
  }
  next();
};
