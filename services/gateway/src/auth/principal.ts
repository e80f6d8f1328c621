import type { RequestHandler, Response } from 'express';
import { forbidden } from '../httpErrors.js';

export const ROLES = ['customer', 'service', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Who is calling, from a verified token or API key. The tenant never comes from the request body. */
export interface Principal {
  readonly kind: 'jwt' | 'api_key';
  /** Token `sub`, or `apikey:<keyId>`; recorded as decidedBy on approval decisions. */
  readonly subject: string;
  readonly tenantId: string;
  readonly role: Role;
  /** What rate limits and stream caps count against: the API key id, or tenant + subject. */
  readonly credentialId: string;
  /** Per-credential override of the requests-per-minute limit (API keys), else the default. */
  readonly rateLimitPerMinute: number | null;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals['principal'] as Principal | undefined;
  if (principal === undefined) throw new Error('principalOf called before authenticate');
  return principal;
}

/** 403 unless the caller has one of the roles. */
export function requireRole(...roles: readonly Role[]): RequestHandler {
  return (_req, res, next) => {
    const { role } = principalOf(res);
    if (!roles.includes(role)) throw forbidden(`the ${role} role may not do this (needs ${roles.join(' or ')})`);
    next();
  };
}
