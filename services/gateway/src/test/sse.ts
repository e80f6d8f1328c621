import { waitFor } from '@supportstream/testing';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ajv, assertConforms, operationFor, schemaRef, validatorFor } from './conformance.js';

export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: Record<string, unknown>;
}

export interface SseStream {
  readonly status: number;
  readonly headers: Headers;
  readonly messages: SseMessage[];
  /** Comment lines (heartbeats) and `retry:` fields seen. */
  readonly comments: string[];
  waitForMessages(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/**
 * How the document says a stream's `data:` look: one schema per event name (`x-sse-events`), or
 * one schema for every message whose id and event are its seq and type (`x-sse-data-schema`, the
 * conversation stream).
 */
function frameCheck(url: URL): (id: string | undefined, event: string | undefined, data: Json) => string | undefined {
  const responses = operationFor('GET', url.pathname)?.operation['responses'] as Record<string, { content?: Record<string, Json> }> | undefined;
  const perEvent = responses?.['200']?.content?.['text/event-stream']?.['x-sse-events'] as Record<string, Json> | undefined;
  if (perEvent === undefined) {
    const validate = schemaRef('ConversationEvent');
    return (id, event, data) => {
      if (!validate(data)) return `SSE data does not match ConversationEvent: ${ajv.errorsText(validate.errors)}`;
      if (id !== data['seq'] || event !== data['type']) return `SSE id/event (${id}/${event}) differ from the data's seq/type (${String(data['seq'])}/${String(data['type'])})`;
      return undefined;
    };
  }
  const validators = new Map<string, ValidateFunction>(Object.entries(perEvent).map(([name, schema]) => [name, validatorFor(schema)]));
  return (id, event, data) => {
    const validate = event === undefined ? undefined : validators.get(event);
    if (validate === undefined) return `SSE event ${String(event)} is not one the document lists (${[...validators.keys()].join(', ')})`;
    if (id === undefined || id === '') return `SSE ${event} message without an id`;
    if (!validate(data)) return `SSE ${event} data does not match the document: ${ajv.errorsText(validate.errors)}`;
    return undefined;
  };
}

/**
 * Opens a server-sent event stream with fetch (headers allowed, unlike EventSource) and parses
 * its frames; every `data:` must match what the OpenAPI document says of the route's messages.
 */
export async function openStream(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  if (response.status !== 200 || response.body === null) {
    const text = await response.text();
    assertConforms('GET', new URL(url), response.status, response.headers, text);
    return { status: response.status, headers: response.headers, messages: [], comments: [], waitForMessages: () => Promise.reject(new Error(`stream answered ${response.status}: ${text}`)), close: () => Promise.resolve() };
  }
  assertConforms('GET', new URL(url), response.status, response.headers, '');
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const check = frameCheck(new URL(url));
  let failure: Error | undefined;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const reading = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | undefined;
        let event: string | undefined;
        const data: string[] = [];
        for (const line of frame.split('\n')) {
          if (line.startsWith(':') || line.startsWith('retry:')) comments.push(line);
          else if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length === 0) continue;
        const parsed = JSON.parse(data.join('\n')) as Record<string, unknown>;
        const problem = check(id, event, parsed);
        if (problem !== undefined) failure ??= new Error(problem);
        messages.push({ id, event, data: parsed });
      }
    }
  })().catch(() => undefined);
  return {
    status: response.status,
    headers: response.headers,
    messages,
    comments,
    async waitForMessages(count, timeoutMs = 10_000) {
      await waitFor(() => failure !== undefined || messages.length >= count, { timeoutMs, description: () => `${count} SSE message(s), got ${messages.length}` });
      if (failure) throw failure;
      return messages;
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}
