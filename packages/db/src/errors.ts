import { isPlatformError, PlatformError, TransientError } from '@supportstream/errors';

// SQLSTATE codes (and classes) after which the same statement can succeed on a later attempt.
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '53300', '53400']);
const TRANSIENT_SQLSTATE_CLASSES = ['08'];
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres reports a lost or timed-out connection as a plain Error without a code.
const TRANSIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' ? code : undefined;
}

/** The SQLSTATE of a PostgreSQL error (`23505`, …), or undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  const code = codeOf(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when retrying later can help: lost connection, server restarting, serialization conflict, deadlock, lock timeout. */
export function isTransientDbError(error: unknown): boolean {
  if (isPlatformError(error)) return error.retriable;
  const code = codeOf(error);
  if (code !== undefined) {
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
    if (TRANSIENT_SQLSTATE_CLASSES.some((prefix) => code.startsWith(prefix)) && /^[0-9A-Z]{5}$/.test(code)) return true;
  }
  return error instanceof Error && TRANSIENT_MESSAGES.test(error.message);
}

function transientCode(error: unknown): string {
  switch (sqlState(error) ?? '') {
    case '40001':
    case '40P01':
      return 'DB_CONFLICT';
    case '55P03':
      return 'DB_LOCK_TIMEOUT';
    case '57014':
      return 'DB_TIMEOUT';
    default:
      return 'DB_UNAVAILABLE';
  }
}

/**
 * Only a transient database error becomes a `TransientError` (so consumers retry it); every other
 * error is returned unchanged, so callers can still react to e.g. a unique violation's SQLSTATE.
 */
export function transientOrSelf(error: unknown, context: string): unknown {
  if (isPlatformError(error) || !isTransientDbError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TransientError(transientCode(error), `${context}: ${message}`, { cause: error, details: { sqlState: sqlState(error) } });
}

/** Any database failure as a PlatformError: transient ones retriable, the rest `DB_QUERY_FAILED`. */
export function toDbError(error: unknown, context: string): PlatformError {
  const converted = transientOrSelf(error, context);
  if (isPlatformError(converted)) return converted;
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformError('DB_QUERY_FAILED', `${context}: ${message}`, { cause: error, details: { sqlState: sqlState(error) } });
}
