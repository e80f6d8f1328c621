import { isTransientDbError } from '@supportstream/db';
import { errorCode, PlatformError } from '@supportstream/errors';
import type { Logger } from '@supportstream/observability';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { z } from 'zod';

/** An error with the HTTP answer it stands for; anything else becomes a 500 without details. */
export class HttpError extends PlatformError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, options: { headers?: Record<string, string>; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { retriable: status === 429 || status === 503, ...(options.details ? { details: options.details } : {}), ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'NOT_FOUND', `${what} not found`);
export const forbidden = (message: string): HttpError => new HttpError(403, 'FORBIDDEN', message);

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly requestId: string; readonly details?: readonly { path: string; message: string }[] };
}

export function requestIdOf(res: Response): string {
  return typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : 'unknown';
}

export function sendError(res: Response, status: number, code: string, message: string, details?: readonly { path: string; message: string }[]): void {
  const body: ErrorBody = { error: { code, message, requestId: requestIdOf(res), ...(details ? { details } : {}) } };
  res.status(status).json(body);
}

/** 400 from a zod failure, naming each field and what is wrong with it. */
export function validationError(error: z.ZodError, where: 'body' | 'query'): HttpError {
  const details = error.issues.map((issue) => ({ path: issue.path.length > 0 ? issue.path.map(String).join('.') : where, message: issue.message }));
  return new HttpError(400, 'VALIDATION_FAILED', `invalid ${where}: ${details.map((detail) => `${detail.path}: ${detail.message}`).join('; ')}`, { details: { issues: details } });
}

export const unknownRoute: RequestHandler = (req) => {
  throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`);
};

interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
  readonly expose?: boolean;
}

function asBodyParserError(error: unknown): BodyParserError | undefined {
  return typeof error === 'object' && error !== null && 'type' in error && typeof (error as BodyParserError).type === 'string' ? (error as BodyParserError) : undefined;
}

/**
 * The last middleware: every failure becomes `{ error: { code, message, requestId } }` with its
 * status. Unexpected errors are logged with their stack and answered with a generic 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      // A stream already started: nothing sensible can be sent, close it.
      next(error);
      return;
    }
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      const issues = error.details['issues'] as { path: string; message: string }[] | undefined;
      sendError(res, error.status, error.code, error.message, issues);
      return;
    }
    if (error instanceof URIError) {
      // The router could not decode a path parameter (`/v1/conversations/%ZZ`).
      sendError(res, 400, 'MALFORMED_PATH', 'the path is not valid percent-encoded UTF-8');
      return;
    }
    const parserError = asBodyParserError(error);
    switch (parserError?.type) {
      case 'entity.too.large':
        sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than the gateway accepts');
        return;
      case 'entity.parse.failed':
        sendError(res, 400, 'MALFORMED_JSON', `the request body is not valid JSON: ${(error as Error).message}`);
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', (error as Error).message);
        return;
      case 'request.aborted':
        sendError(res, 400, 'REQUEST_ABORTED', 'the client aborted the request');
        return;
      case undefined:
      default:
        break;
    }
    if (parserError?.status !== undefined && parserError.status >= 400 && parserError.status < 500 && parserError.expose === true) {
      sendError(res, parserError.status, 'BAD_REQUEST', (error as Error).message);
      return;
    }
    const log = (res.locals['logger'] as Logger | undefined) ?? logger;
    if (isTransientDbError(error)) {
      // A database or Redis connection failure: the request itself was fine, retrying can work.
      log.warn({ err: error, code: errorCode(error) }, 'dependency unavailable');
      res.setHeader('Retry-After', '5');
      sendError(res, 503, 'UNAVAILABLE', 'a dependency of the gateway is unavailable; retry shortly');
      return;
    }
    log.error({ err: error, code: errorCode(error) }, 'request failed');
    sendError(res, 500, 'INTERNAL', 'the gateway failed to handle the request; quote the request id when reporting it');
  };
}
