import { LlmTimeoutError, ProviderRequestError, ProviderUnavailableError, RateLimitError } from '../errors.js';

/** `fetch` is injectable so tests can observe requests; the default is the global one. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Milliseconds to wait from a `retry-after` header: delay-seconds (integer or decimal) or an
 * HTTP date, relative to `now`. Past dates give 0; anything unparseable gives undefined.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date names its month; this also keeps Date.parse from reading "-5" as a year.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** OpenAI's servers also send `retry-after-ms`; it is more precise when present. */
export function retryAfterFrom(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms.trim()));
  return parseRetryAfter(headers.get('retry-after'), now);
}

/** OpenAI and Anthropic: `{error: {message}}`; Ollama: `{error: "..."}`; others: `{message}`. */
export function providerErrorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record['error'];
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const message = (error as Record<string, unknown>)['message'];
    if (typeof message === 'string') return message;
  }
  return typeof record['message'] === 'string' ? record['message'] : undefined;
}

export interface PostJsonOptions {
  readonly provider: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly fetch?: FetchLike | undefined;
}

// 408 and 409 are retried as well, like the providers' own SDKs do.
const RETRIABLE_STATUS = new Set([408, 409, 500, 502, 503, 504, 529]);

/**
 * POSTs JSON and returns the parsed JSON answer, mapping every failure onto the error hierarchy:
 * 429 → RateLimitError (retry-after honoured), 408/409/5xx/529, network errors and unparseable
 * bodies → ProviderUnavailableError, the timeout → LlmTimeoutError (all retriable); other 4xx →
 * ProviderRequestError with the provider's own message (not retriable). A caller's abort is
 * rethrown as is.
 */
export async function postJson(options: PostJsonOptions): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const where = `${options.provider} ${options.url}`;
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(options.body),
      signal,
    });
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) throw new LlmTimeoutError(options.timeoutMs, { cause: error, details: { provider: options.provider } });
    throw new ProviderUnavailableError(`${where}: request failed: ${describe(error)}`, { cause: error, details: { provider: options.provider } });
  }
  let body: unknown;
  let parsed = true;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = false;
  }
  if (status >= 200 && status < 300) {
    if (!parsed || body === undefined) throw new ProviderUnavailableError(`${where}: answered ${status} with a body that is not JSON: ${snippet(text)}`, { details: { provider: options.provider, status } });
    return body;
  }
  const message = (parsed ? providerErrorMessage(body) : undefined) ?? (snippet(text) || `HTTP ${status}`);
  const details = { provider: options.provider, status };
  if (status === 429) throw new RateLimitError(`${where}: rate limited: ${message}`, retryAfterFrom(headers), { details });
  if (RETRIABLE_STATUS.has(status) || status >= 500) throw new ProviderUnavailableError(`${where}: HTTP ${status}: ${message}`, { details });
  throw new ProviderRequestError(status, `${where}: HTTP ${status}: ${message}`, { details });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici hides the reason (ECONNREFUSED, …) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
