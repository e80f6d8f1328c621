// Server-sent events over fetch: the gateway's streams authenticate like every other call (the
// session cookie, or a bearer token for the customer chat), and a fetch reader lets a 404 or 401 be told apart from a dropped line,
// which EventSource cannot do.
import { announceUnauthenticated, ApiError, authOf, errorOf } from './client.js';

export interface StreamMessage {
  /** The last `id:` seen so far (what Last-Event-ID resumes from). */
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG rules that matter here: CRLF, CR or LF line
 * ends, several `data:` lines joined by newlines, comments, `id:` that sticks, `retry:`).
 */
export function createSseParser(onMessage: (message: StreamMessage) => void, onRetry: (ms: number) => void = () => undefined): { push(chunk: string): void } {
  let buffer = '';
  let lastId: string | undefined;
  let event = '';
  let data: string[] = [];

  const dispatch = () => {
    if (data.length > 0) onMessage({ id: lastId, event: event === '' ? 'message' : event, data: data.join('\n') });
    event = '';
    data = [];
  };
  const line = (text: string) => {
    if (text === '') {
      dispatch();
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        event = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) onRetry(Number(value));
        break;
      default:
        break;
    }
  };
  return {
    push(chunk) {
      buffer += chunk;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone CR at the end may be the first half of CRLF: wait for the next chunk.
        if (match === null || (match[0] === '\r' && match.index === buffer.length - 1)) return;
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
  };
}

export type StreamState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open' }
  | { readonly kind: 'retrying'; readonly error: ApiError; readonly inMs: number }
  /** The gateway has no such stream (404/405): the caller falls back to polling. */
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'closed'; readonly error?: ApiError };

export interface EventStreamOptions {
  readonly path: string;
  readonly onMessage: (message: StreamMessage) => void;
  readonly onState?: (state: StreamState) => void;
  /** Resume after this id (sent as Last-Event-ID); later ids are taken from the stream. */
  readonly lastEventId?: string;
  readonly maxRetryMs?: number;
  /** A bearer token instead of the session cookie (no cookie sent; a 401 does not end the console's session). */
  readonly bearer?: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Opens the stream and keeps it open (reconnecting with backoff and Last-Event-ID) until the returned function is called. */
export function openEventStream(options: EventStreamOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  const state = (next: StreamState) => {
    if (!signal.aborted) options.onState?.(next);
  };
  let lastId = options.lastEventId;
  let retryMs = 1_000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;

  async function connectOnce(): Promise<'ended' | 'stop'> {
    state({ kind: 'connecting' });
    const auth = authOf(options.bearer);
    const response = await fetch(options.path, {
      headers: { accept: 'text/event-stream', ...auth.headers, ...(lastId === undefined ? {} : { 'Last-Event-ID': lastId }) },
      credentials: auth.credentials,
      cache: 'no-store',
      signal,
    });
    if (response.status === 404 || response.status === 405) {
      state({ kind: 'unsupported' });
      return 'stop';
    }
    if (response.status === 401 || response.status === 403) {
      const error = await errorOf(response);
      if (response.status === 401 && options.bearer === undefined) announceUnauthenticated();
      state({ kind: 'closed', error });
      return 'stop';
    }
    if (!response.ok || response.body === null) throw await errorOf(response);
    state({ kind: 'open' });
    const parser = createSseParser(
      (message) => {
        lastId = message.id;
        if (!signal.aborted) options.onMessage(message);
      },
      (ms) => {
        retryMs = ms;
      },
    );
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        parser.push(value);
      }
    } finally {
      reader.releaseLock();
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let error: ApiError;
      try {
        if ((await connectOnce()) === 'stop') return;
        failures = 0;
        error = new ApiError(0, 'STREAM_ENDED', 'the live stream ended; reconnecting');
      } catch (caught) {
        if (signal.aborted) return;
        failures += 1;
        error = caught instanceof ApiError ? caught : new ApiError(0, 'NETWORK', 'the live stream was interrupted; reconnecting');
      }
      // Exponential backoff from the server's retry: hint, with jitter so clients do not reconnect in step.
      const inMs = Math.round(Math.min(maxRetryMs, retryMs * 2 ** Math.max(0, failures - 1)) * (0.8 + Math.random() * 0.4));
      state({ kind: 'retrying', error, inMs });
      await sleep(inMs, signal);
    }
  }

  void run();
  return () => controller.abort();
}
