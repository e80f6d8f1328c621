import { assertConforms, operationFor, validatorFor } from '../test/conformance.js';
import { NEGATIVE_KINDS, type FuzzWorld, type RequestCase } from './requestCases.js';

/** One request of a case sent to the gateway, and the checks every answer must pass. */

export interface Exchange {
  readonly request: RequestCase;
  readonly url: URL;
  readonly status: number;
  readonly headers: Headers;
  /** The body; for an event stream, what arrived before the fuzzer hung up. */
  readonly text: string;
  readonly streamed: boolean;
  readonly ms: number;
}

export interface SendOptions {
  readonly baseUrl: string;
  readonly world: FuzzWorld;
  readonly timeoutMs: number;
  /** How long to listen to an event stream for its first messages. */
  readonly streamListenMs: number;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What leaks from an unhandled error: a stack frame, a source path, a dependency's path. */
const LEAKS = [/\bat [\w$.<>]+ \(.*:\d+:\d+\)/, /node_modules\//, /\/src\/[\w/.-]+\.[jt]s\b/, /\b(?:TypeError|ReferenceError|SyntaxError): /];

export class Violation extends Error {}

/** The case's URL, its path as encoded (dot segments are resolved, as every client does). */
export function urlOf(baseUrl: string, request: RequestCase): URL {
  const params = new URLSearchParams();
  for (const [name, value] of request.query) params.append(name, value);
  const search = params.toString();
  return new URL(`${baseUrl}${request.path}${search === '' ? '' : `?${search}`}`);
}

/** Reads an event stream until a message with data arrived (past the `retry:` preamble) or the time is up, then hangs up. */
async function readStream(response: Response, listenMs: number, controller: AbortController): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const decoder = new TextDecoder();
  let text = '';
  const deadline = setTimeout(() => controller.abort(), listenMs);
  try {
    for (;;) {
      const { value, done } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (/(^|\n)data:.*\n\n/.test(text)) break;
    }
  } catch {
    // The deadline aborted the read: what arrived is what there is.
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return text;
}

/** A kept-alive connection the server closed just as it was reused: the request never reached the app. */
function connectionReset(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return error instanceof TypeError && (cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'EPIPE');
}

const reasonOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `${error.name}: ${error.message}${cause === undefined ? '' : ` (${cause.code ?? ''} ${cause.message ?? ''})`}`;
};

async function sendOnce(options: SendOptions, request: RequestCase, url: URL, headers: Record<string, string>): Promise<Exchange> {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(new Violation(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
  const started = performance.now();
  const bodyAllowed = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    const response = await fetch(url, {
      method: request.method,
      headers,
      ...(request.body !== undefined && bodyAllowed ? { body: request.body } : {}),
      redirect: 'manual',
      signal: controller.signal,
    });
    const streamed = (response.headers.get('content-type') ?? '').startsWith('text/event-stream') && request.method !== 'HEAD';
    const text = streamed ? await readStream(response, options.streamListenMs, controller) : await response.text();
    return { request, url, status: response.status, headers: response.headers, text, streamed, ms: performance.now() - started };
  } catch (error) {
    if (controller.signal.reason instanceof Violation) throw new Violation(`${describe(request, url)}\n  failed: ${controller.signal.reason.message}`);
    throw error;
  } finally {
    clearTimeout(timeout);
  }
}

export async function send(options: SendOptions, request: RequestCase): Promise<Exchange> {
  const url = urlOf(options.baseUrl, request);
  const credential = options.world.credentials[request.credential];
  if (credential === undefined) throw new Error(`unknown credential ${request.credential}`);
  const headers = { ...credential.headers, ...request.headers };
  try {
    return await sendOnce(options, request, url, headers);
  } catch (error) {
    if (error instanceof Violation) throw error;
    // Once more on a reset connection (a keep-alive race on a loaded machine); a request that
    // itself breaks the connection breaks it again and is reported.
    if (connectionReset(error)) {
      try {
        return await sendOnce(options, request, url, headers);
      } catch (again) {
        if (again instanceof Violation) throw again;
        throw new Violation(`${describe(request, url)}\n  failed twice: ${reasonOf(again)}`);
      }
    }
    throw new Violation(`${describe(request, url)}\n  failed: ${reasonOf(error)}`);
  }
}

export function describe(request: RequestCase, url: URL): string {
  const headers = Object.entries(request.headers).map(([name, value]) => `${name}: ${value.slice(0, 120)}`);
  const body = request.body === undefined ? '' : `\n  body (${request.body.length} chars): ${request.body.slice(0, 300)}`;
  return `${request.kind}${request.violation === undefined ? '' : ` (${request.violation})`} ${request.operationId} as ${request.credential}\n  ${request.method} ${url.pathname}${url.search.slice(0, 400)}${headers.length > 0 ? `\n  ${headers.join('\n  ')}` : ''}${body}`;
}

type Json = Record<string, unknown>;
const eventStreamMedia = (method: string, path: string): Json | undefined => {
  const responses = operationFor(method, path)?.operation['responses'] as Record<string, { content?: Record<string, Json> }> | undefined;
  return responses?.['200']?.content?.['text/event-stream'];
};

/** Each complete message of a stream whose data is JSON, checked against the schema the document gives its event; how many. */
function checkFrames(exchange: Exchange): number {
  const media = eventStreamMedia(exchange.request.method, exchange.url.pathname);
  if (media === undefined) throw new Violation('an event stream where the document declares none');
  const complete = exchange.text.slice(0, exchange.text.lastIndexOf('\n\n') + 2);
  let checked = 0;
  for (const message of complete.split('\n\n')) {
    const lines = message.split('\n');
    const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart());
    if (data.length === 0) continue;
    const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim() ?? 'message';
    const events = media['x-sse-events'] as Record<string, Json> | undefined;
    const schema = events?.[event] ?? (media['x-sse-data-schema'] as Json | undefined);
    if (schema === undefined) throw new Violation(`stream event ${event} is not in the document`);
    const validate = validatorFor(schema);
    const value: unknown = JSON.parse(data.join('\n'));
    if (!validate(value)) throw new Violation(`stream event ${event}: data does not match the document: ${JSON.stringify(validate.errors)?.slice(0, 500)}`);
    checked += 1;
  }
  return checked;
}

export interface CheckRules {
  /** Why a 400 (or 413, 415) to a request the document accepts is all right for this case, if it is. */
  readonly allowedRefusal: (exchange: Exchange, error: { code: string; message: string } | undefined) => string | undefined;
  /** Told each allowed refusal's reason (the report counts them). */
  readonly onAllowedRefusal?: (reason: string) => void;
}

const errorOf = (text: string): { code: string; message: string; requestId: string } | undefined => {
  try {
    return (JSON.parse(text) as { error?: { code: string; message: string; requestId: string } }).error;
  } catch {
    return undefined;
  }
};

/**
 * Throws a Violation saying what is wrong with the answer, with the request to reproduce it.
 * Returns how many event-stream messages it checked.
 */
export function check(exchange: Exchange, rules: CheckRules): { readonly streamMessages: number } {
  const { request, status, headers, text } = exchange;
  const fail = (what: string): never => {
    throw new Violation(`${describe(request, exchange.url)}\n  → ${status} ${headers.get('content-type') ?? ''}: ${what}\n  answer: ${text.slice(0, 600)}`);
  };
  if (status >= 500) fail('a 5xx');
  let streamMessages = 0;
  try {
    assertConforms(request.method, exchange.url, status, headers, exchange.streamed ? undefined : text);
    if (exchange.streamed) streamMessages = checkFrames(exchange);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  for (const leak of LEAKS) if (leak.test(text)) fail(`the answer leaks internals (${leak.source})`);

  const sent = request.headers['X-Request-Id'];
  const echoed = headers.get('x-request-id') ?? '';
  if (sent !== undefined && SANE_REQUEST_ID.test(sent) ? echoed !== sent : !UUID.test(echoed)) fail(`X-Request-Id ${echoed} for ${sent ?? 'none sent'}`);
  const error = status >= 400 && request.method !== 'HEAD' ? errorOf(text) : undefined;
  if (status >= 400 && request.method !== 'HEAD' && error?.requestId !== echoed) fail('the error body does not carry the X-Request-Id');

  if (NEGATIVE_KINDS.has(request.kind) && status < 300) fail('the document refuses this request, the gateway accepted it');
  if (request.kind === 'valid' && (status === 400 || status === 413 || status === 415)) {
    const reason = rules.allowedRefusal(exchange, error);
    if (reason === undefined) fail('the document accepts this request, the gateway refused it');
    else rules.onAllowedRefusal?.(reason);
  }
  return { streamMessages };
}
