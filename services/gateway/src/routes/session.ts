import type { Clock } from '@supportstream/events';
import type { RequestHandler } from 'express';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { verifyCredential, type CredentialOptions } from '../auth/authenticate.js';
import { principalOf, type Principal } from '../auth/principal.js';
import { clearedSessionCookie, cookieSessionOf, setSessionCookie, type Session, type SessionStore } from '../auth/session.js';
import { forbidden, validationError } from '../httpErrors.js';

const CREDENTIAL_MAX = 8_192;
/** Surrounding spaces are dropped; the pattern puts "not blank" in the document. */
const credential = z.string().max(CREDENTIAL_MAX).regex(/\S/, 'must not be blank').trim();

export const signInBody = z
  .strictObject({
    apiKey: credential.optional().meta({ description: 'An API key, sk_<keyId>_<secret>.' }),
    token: credential.optional().meta({ description: 'A JWT, as it would be sent as a Bearer token.' }),
  })
  .superRefine((body, context) => {
    if ((body.apiKey === undefined) === (body.token === undefined)) context.addIssue({ code: 'custom', path: [], message: 'give exactly one of apiKey and token' });
  });

/** What GET /v1/session (and a sign-in) answers: who is signed in, never the credential. */
export interface SessionInfo {
  readonly subject: string;
  readonly role: Principal['role'];
  readonly tenantId: string;
  readonly kind: Principal['kind'];
  /** `cookie` when the session cookie authenticated the call, `header` for a key or token in a header. */
  readonly via: 'cookie' | 'header';
  readonly expiresAt: string | null;
}

const infoOf = (principal: Principal, session: Session | undefined): SessionInfo => ({
  subject: principal.subject,
  role: principal.role,
  tenantId: principal.tenantId,
  kind: principal.kind,
  via: session === undefined ? 'header' : 'cookie',
  expiresAt: session?.expiresAt ?? null,
});

/**
 * POST /v1/session, first half: the body's credential is verified exactly as `authenticate`
 * verifies a header, and becomes the principal, so the rate limit that follows counts against it.
 * A customer credential cannot open the console (403).
 */
export function verifySignIn(options: CredentialOptions): RequestHandler {
  return async (req, res, next) => {
    const parsed = signInBody.safeParse(req.body ?? null);
    if (!parsed.success) throw validationError(parsed.error, 'body');
    const { apiKey, token } = parsed.data;
    const principal = apiKey !== undefined ? await verifyCredential(options, apiKey, 'api_key') : await verifyCredential(options, token ?? '', 'jwt');
    if (principal.role === 'customer') throw forbidden('a customer credential cannot open the console; sign in as a supervisor, service or admin');
    res.locals['principal'] = principal;
    // A session never outlives the token it was opened with.
    res.locals['credentialExpiresAt'] = token === undefined ? undefined : decodeJwt(token).exp;
    next();
  };
}

/** POST /v1/session, second half: the session and its cookie; 201 with who is signed in. */
export function createSession(deps: { readonly sessions: SessionStore; readonly ttlSeconds: number; readonly clock: Clock }): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const tokenExp = res.locals['credentialExpiresAt'] as number | undefined;
    const untilTokenExpires = tokenExp === undefined ? Number.POSITIVE_INFINITY : tokenExp - deps.clock().getTime() / 1000;
    const lifetime = Math.min(deps.ttlSeconds, untilTokenExpires);
    const { token, session } = await deps.sessions.create(principal, lifetime);
    setSessionCookie(req, res, token, session);
    res.status(201).json(infoOf(principal, session));
  };
}

/** GET /v1/session: who the credential (cookie or header) is. */
export const getSession: RequestHandler = (_req, res) => {
  res.json(infoOf(principalOf(res), cookieSessionOf(res)?.session));
};

/** DELETE /v1/session: ends the cookie's session and removes the cookie; 204 (also when a header authenticated). */
export function deleteSession(sessions: SessionStore): RequestHandler {
  return async (req, res) => {
    const current = cookieSessionOf(res);
    if (current !== undefined) await sessions.delete(current.token);
    res.setHeader('Set-Cookie', clearedSessionCookie(req));
    res.status(204).end();
  };
}
