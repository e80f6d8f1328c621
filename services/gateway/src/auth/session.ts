import { createHash, randomBytes } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { HttpError } from '../httpErrors.js';
import { isRole, type Principal } from './principal.js';

/**
 * Console sessions. Signing in (POST /v1/session) exchanges an API key or a JWT for a random
 * session token in an HTTP-only cookie: the page's scripts never hold the credential, so an XSS
 * cannot read it out (a key in localStorage could be), and a reload keeps the session (a key kept
 * only in memory would be lost). Sessions live in Redis under the SHA-256 of the token, so a Redis
 * dump holds no usable cookie, and signing out really ends the session (a stateless signed token
 * would stay valid until it expires).
 */
export const SESSION_COOKIE = 'supportstream_session';
/** Unsafe requests authenticated by the cookie must carry this header (value `1`): a cross-site form cannot send it. */
export const CSRF_HEADER = 'X-SupportStream-CSRF';
export const DEFAULT_SESSION_TTL_SECONDS = 8 * 3600;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Session {
  readonly principal: Principal;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface SessionStore {
  /** A new session for the principal, valid for the given seconds. */
  create(principal: Principal, lifetimeSeconds: number): Promise<{ readonly token: string; readonly session: Session }>;
  /** The live session of a cookie token, or undefined (unknown, expired, signed out, malformed). */
  find(token: string): Promise<Session | undefined>;
  delete(token: string): Promise<void>;
}

export interface SessionStoreOptions {
  readonly redis: Redis;
  readonly keyPrefix?: string;
  readonly clock?: () => Date;
}

const unavailable = (cause: unknown): HttpError => new HttpError(503, 'UNAVAILABLE', 'sessions are unavailable right now (Redis); retry shortly', { headers: { 'Retry-After': '5' }, cause });

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const { principal, expiresAt } = value as Partial<Session>;
  return typeof expiresAt === 'string' && typeof principal === 'object' && principal !== null && typeof principal.subject === 'string' && typeof principal.tenantId === 'string' && isRole(principal.role);
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const prefix = options.keyPrefix ?? 'supportstream:gateway:session';
  const clock = options.clock ?? (() => new Date());
  const keyOf = (token: string): string => `${prefix}:${createHash('sha256').update(token, 'utf8').digest('hex')}`;

  return {
    async create(principal, lifetimeSeconds) {
      const token = randomBytes(32).toString('base64url');
      const now = clock();
      const seconds = Math.max(1, Math.floor(lifetimeSeconds));
      const session: Session = { principal, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + seconds * 1000).toISOString() };
      try {
        await options.redis.set(keyOf(token), JSON.stringify(session), 'EX', seconds);
      } catch (error) {
        throw unavailable(error);
      }
      return { token, session };
    },
    async find(token) {
      if (!TOKEN.test(token)) return undefined;
      let stored: string | null;
      try {
        stored = await options.redis.get(keyOf(token));
      } catch (error) {
        throw unavailable(error);
      }
      if (stored === null) return undefined;
      let session: unknown;
      try {
        session = JSON.parse(stored);
      } catch {
        return undefined;
      }
      // Redis expires the key; the check guards against a clock or TTL mishap keeping it longer.
      return isSession(session) && Date.parse(session.expiresAt) > clock().getTime() ? session : undefined;
    },
    async delete(token) {
      if (!TOKEN.test(token)) return;
      try {
        await options.redis.del(keyOf(token));
      } catch (error) {
        throw unavailable(error);
      }
    },
  };
}

/** The value of one cookie in a Cookie header (no cookie-parser needed for one name). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const raw = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const sessionTokenOf = (req: Request): string | undefined => readCookie(req.get('Cookie'), SESSION_COOKIE);

/** HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it), Secure over https. */
export function sessionCookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, secure: req.secure, sameSite: 'strict', path: '/', ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }) };
}

export function setSessionCookie(req: Request, res: Response, token: string, session: Session): void {
  res.cookie(SESSION_COOKIE, token, sessionCookieOptions(req, Math.max(0, Date.parse(session.expiresAt) - Date.parse(session.createdAt))));
}

/** The Set-Cookie header value that removes the cookie (for answers built as errors). */
export function clearedSessionCookie(req: Request): string {
  return `${SESSION_COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`;
}

/** 403 for an unsafe method authenticated by the cookie without the CSRF header. */
export function checkCsrf(req: Request): void {
  if (SAFE_METHODS.has(req.method) || req.get(CSRF_HEADER) === '1') return;
  throw new HttpError(403, 'CSRF_HEADER_REQUIRED', `a ${req.method} authenticated by the session cookie must send the header ${CSRF_HEADER}: 1`);
}

/** Set by authenticate when the cookie was the credential. */
export interface CookieSession {
  readonly token: string;
  readonly session: Session;
}

export const cookieSessionOf = (res: Response): CookieSession | undefined => res.locals['session'] as CookieSession | undefined;
