/**
 * One error hierarchy for the whole platform. Every error carries a stable `code`, says whether
 * retrying can help (`retriable`) and keeps its `cause`. Consumers decide from these fields
 * whether to retry, dead-letter or stop; programmer errors are never retried.
 */
export interface PlatformErrorOptions {
  readonly cause?: unknown;
  readonly retriable?: boolean;
  readonly details?: Readonly<Record<string, unknown>>;
}

export class PlatformError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

/** A dependency (broker, registry, database) is unavailable for now; retrying later can help. */
export class TransientError extends PlatformError {
  constructor(code: string, message: string, options: Omit<PlatformErrorOptions, 'retriable'> = {}) {
    super(code, message, { ...options, retriable: true });
  }
}

/** The input itself is wrong (bad bytes, failed validation); retrying the same input cannot help. */
export class InvalidInputError extends PlatformError {
  constructor(code: string, message: string, options: Omit<PlatformErrorOptions, 'retriable'> = {}) {
    super(code, message, { ...options, retriable: false });
  }
}

/** Configuration is missing or malformed; the process must not start. */
export class ConfigError extends PlatformError {
  constructor(message: string, options: Omit<PlatformErrorOptions, 'retriable'> = {}) {
    super('CONFIG_INVALID', message, { ...options, retriable: false });
  }
}

export function isPlatformError(error: unknown): error is PlatformError {
  return error instanceof PlatformError;
}

/** Only errors that declare themselves retriable are retried; unknown errors are treated as bugs. */
export function isRetriable(error: unknown): boolean {
  return isPlatformError(error) && error.retriable;
}

export function errorCode(error: unknown): string {
  if (isPlatformError(error)) return error.code;
  if (error instanceof Error) return error.name === 'Error' ? 'UNEXPECTED' : error.name;
  return 'UNEXPECTED';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
