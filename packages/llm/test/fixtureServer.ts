import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that plays a model provider: it answers each request with the next scripted
 * reply (in the provider's real wire format, see the builders below) and records what it got.
 */

export interface ScriptedReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON; a string is sent as it is (for malformed bodies). */
  readonly body: unknown;
  /** Wait this long before answering (for timeouts). */
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface FixtureServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Queue replies; when the queue is empty the server answers 500 "no scripted reply". */
  reply(...replies: ScriptedReply[]): void;
  /** Forget queued replies and recorded requests (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      const next = queue.shift() ?? { status: 500, body: { error: { message: 'no scripted reply' } } };
      const send = () => write(response, next);
      if (next.delayMs === undefined) return send();
      const timer = setTimeout(send, next.delayMs);
      response.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => queue.push(...replies),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function write(response: ServerResponse, reply: ScriptedReply): void {
  if (response.destroyed) return;
  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  response.writeHead(reply.status, { 'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json', ...reply.headers });
  response.end(body);
}

// --- OpenAI Chat Completions wire format ---

export function openAiCompletion(content: string, options: { model?: string; promptTokens?: number; completionTokens?: number; finishReason?: string } = {}): ScriptedReply {
  const promptTokens = options.promptTokens ?? 120;
  const completionTokens = options.completionTokens ?? 30;
  return {
    status: 200,
    headers: { 'x-request-id': 'req_fixture' },
    body: {
      id: 'chatcmpl-fixture',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: options.model ?? 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: options.finishReason ?? 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      system_fingerprint: 'fp_fixture',
    },
  };
}

export function openAiError(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): ScriptedReply {
  return { status, headers, body: { error: { message, type, param: null, code } } };
}

// --- Anthropic Messages wire format ---

export function anthropicMessage(text: string, options: { model?: string; inputTokens?: number; outputTokens?: number; stopReason?: string } = {}): ScriptedReply {
  return {
    status: 200,
    headers: { 'request-id': 'req_fixture' },
    body: {
      id: 'msg_fixture',
      type: 'message',
      role: 'assistant',
      model: options.model ?? 'claude-haiku-4-5-20251001',
      content: [{ type: 'text', text }],
      stop_reason: options.stopReason ?? 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: options.inputTokens ?? 150, output_tokens: options.outputTokens ?? 40 },
    },
  };
}

export function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}): ScriptedReply {
  return { status, headers, body: { type: 'error', error: { type, message } } };
}
