import { isRetriable } from '@supportstream/errors';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicError, anthropicMessage, openAiCompletion, openAiError, startFixtureServer, type FixtureServer, type ScriptedReply } from '../../test/fixtureServer.js';
import { LlmTimeoutError, ProviderRequestError, ProviderUnavailableError, RateLimitError } from '../errors.js';
import type { ChatModel, ChatRequest } from '../port.js';
import { withResilience } from '../resilient.js';
import { runTask } from '../runTask.js';
import { createAnthropicChatModel } from './anthropic.js';
import { createOpenAiCompatibleChatModel } from './openAiCompatible.js';

const REQUEST: ChatRequest = {
  task: 'moderate',
  input: { text: 'Where is my parcel?' },
  messages: [
    { role: 'system', content: 'You screen messages.' },
    { role: 'user', content: 'Moderate: Where is my parcel?' },
  ],
  temperature: 0.2,
  maxTokens: 300,
  json: true,
};
const OK = '{"verdict":"allow","categories":[],"reason":"a normal question"}';

interface ProviderCase {
  readonly name: string;
  readonly path: string;
  create(baseUrl: string, timeoutMs?: number): ChatModel;
  success(content: string): ScriptedReply;
  rateLimited(retryAfter: string): ScriptedReply;
  serverError(): ScriptedReply;
  unauthorized(): ScriptedReply;
}

const CASES: readonly ProviderCase[] = [
  {
    name: 'OpenAI-compatible',
    path: '/v1/chat/completions',
    create: (baseUrl, timeoutMs) => createOpenAiCompatibleChatModel({ baseUrl: `${baseUrl}/v1`, apiKey: 'sk-test', model: 'gpt-4o-mini', ...(timeoutMs ? { timeoutMs } : {}) }),
    success: (content) => openAiCompletion(content),
    rateLimited: (retryAfter) => openAiError(429, 'Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3.', 'requests', 'rate_limit_exceeded', { 'retry-after': retryAfter }),
    serverError: () => openAiError(500, 'The server had an error while processing your request.', 'server_error', null),
    unauthorized: () => openAiError(401, 'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'),
  },
  {
    name: 'Anthropic',
    path: '/v1/messages',
    create: (baseUrl, timeoutMs) => createAnthropicChatModel({ baseUrl, apiKey: 'sk-ant-test', model: 'claude-haiku-4-5', ...(timeoutMs ? { timeoutMs } : {}) }),
    success: (content) => anthropicMessage(content),
    rateLimited: (retryAfter) => anthropicError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': retryAfter }),
    serverError: () => anthropicError(500, 'api_error', 'Internal server error'),
    unauthorized: () => anthropicError(401, 'authentication_error', 'invalid x-api-key'),
  },
];

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

const noWait = { minDelayMs: 1, maxDelayMs: 2 };

describe.each(CASES)('$name adapter against its wire format', (provider) => {
  it('answers a success with content, usage, model and finish reason', async () => {
    server.reply(provider.success(OK));
    const response = await provider.create(server.baseUrl).complete(REQUEST);
    expect(response.content).toBe(OK);
    expect(response.finishReason).toBe('stop');
    expect(response.usage.promptTokens).toBeGreaterThan(0);
    expect(response.usage.completionTokens).toBeGreaterThan(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: provider.path });
  });

  it('retries a 429 after its retry-after, then succeeds', async () => {
    server.reply(provider.rateLimited('2'), provider.success(OK));
    const slept: number[] = [];
    const model = withResilience(provider.create(server.baseUrl), { ...noWait, sleep: (ms) => (slept.push(ms), Promise.resolve()) });
    expect((await model.complete(REQUEST)).content).toBe(OK);
    expect(server.requests).toHaveLength(2);
    expect(slept).toEqual([1_999]);
  });

  it('maps a 429 onto a retriable RateLimitError carrying retry-after (HTTP date too)', async () => {
    server.reply(provider.rateLimited(new Date(Date.now() + 30_000).toUTCString()));
    const error = await provider.create(server.baseUrl).complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(28_000);
    expect((error as RateLimitError).message).toContain('rate limit');
    expect(isRetriable(error)).toBe(true);
  });

  it('retries a 500, then succeeds', async () => {
    server.reply(provider.serverError(), provider.success(OK));
    expect((await withResilience(provider.create(server.baseUrl), noWait).complete(REQUEST)).content).toBe(OK);
    expect(server.requests).toHaveLength(2);
  });

  it('fails a 401 at once, not retriable, with the provider message', async () => {
    server.reply(provider.unauthorized(), provider.success(OK));
    const error = await withResilience(provider.create(server.baseUrl), { ...noWait, retries: 3 }).complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toMatchObject({ code: 'LLM_AUTH_FAILED', retriable: false, status: 401 });
    expect((error as Error).message).toMatch(/API key|x-api-key/);
    expect(server.requests).toHaveLength(1);
  });

  it('repairs an answer that is not valid JSON with a second call', async () => {
    server.reply(provider.success('Sure! The message looks fine: verdict allow'), provider.success(OK));
    const result = await runTask(provider.create(server.baseUrl), 'moderate', { text: 'Where is my parcel?' }, { temperature: 0, maxTokens: 100, systemPrompt: 'You screen messages.' });
    expect(result).toMatchObject({ attempts: 2, output: { verdict: 'allow' } });
    expect(JSON.stringify(server.requests[1]?.body)).toContain('Your answer was not valid');
  });

  it('maps a 200 whose body is not JSON onto a retriable ProviderUnavailableError', async () => {
    server.reply({ status: 200, body: '<html><body>502 Bad Gateway</body></html>' });
    const error = await provider.create(server.baseUrl).complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(isRetriable(error)).toBe(true);
  });

  it('times out a slow answer with a retriable LlmTimeoutError', async () => {
    server.reply({ ...provider.success(OK), delayMs: 2_000 });
    const error = await provider.create(server.baseUrl, 100).complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmTimeoutError);
    expect(isRetriable(error)).toBe(true);
  });

  it('maps a refused connection onto a retriable ProviderUnavailableError', async () => {
    const error = await provider.create('http://127.0.0.1:1').complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(isRetriable(error)).toBe(true);
  });
});

describe('OpenAI-compatible specifics', () => {
  it('sends the chat completions request with bearer key and json response_format', async () => {
    server.reply(openAiCompletion(OK, { promptTokens: 57, completionTokens: 12, model: 'gpt-4o-mini-2024-07-18' }));
    const response = await CASES[0]!.create(server.baseUrl).complete(REQUEST);
    expect(response).toEqual({ content: OK, usage: { promptTokens: 57, completionTokens: 12 }, model: 'gpt-4o-mini-2024-07-18', finishReason: 'stop' });
    const request = server.requests[0]!;
    expect(request.headers['authorization']).toBe('Bearer sk-test');
    expect(request.body).toEqual({ model: 'gpt-4o-mini', messages: REQUEST.messages, temperature: 0.2, max_tokens: 300, response_format: { type: 'json_object' } });
  });

  it('sends no key and no response_format when configured for a local server that needs neither', async () => {
    server.reply(openAiCompletion(OK, { finishReason: 'length' }));
    const model = createOpenAiCompatibleChatModel({ name: 'ollama', baseUrl: `${server.baseUrl}/v1/`, model: 'llama3.1', jsonMode: false });
    expect((await model.complete(REQUEST)).finishReason).toBe('length');
    expect(server.requests[0]?.headers['authorization']).toBeUndefined();
    expect(server.requests[0]?.body).not.toHaveProperty('response_format');
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
  });

  it('reads a plain-string error as Ollama sends it', async () => {
    server.reply({ status: 404, body: { error: 'model "llama9" not found, try pulling it first' } });
    await expect(CASES[0]!.create(server.baseUrl).complete(REQUEST)).rejects.toThrow(/model "llama9" not found/);
  });
});

describe('Anthropic specifics', () => {
  it('sends x-api-key, anthropic-version, top-level system and text content blocks', async () => {
    server.reply(anthropicMessage(OK, { inputTokens: 80, outputTokens: 9, stopReason: 'max_tokens' }));
    const response = await CASES[1]!.create(server.baseUrl).complete(REQUEST);
    expect(response).toEqual({ content: OK, usage: { promptTokens: 80, completionTokens: 9 }, model: 'claude-haiku-4-5-20251001', finishReason: 'length' });
    const request = server.requests[0]!;
    expect(request.headers['x-api-key']).toBe('sk-ant-test');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 300,
      temperature: 0.2,
      system: 'You screen messages.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Moderate: Where is my parcel?' }] }],
    });
  });

  it('retries 529 overloaded, then succeeds', async () => {
    server.reply(anthropicError(529, 'overloaded_error', 'Overloaded'), anthropicMessage(OK));
    const error = await CASES[1]!.create(server.baseUrl).complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'LLM_PROVIDER_UNAVAILABLE', retriable: true });
    expect((error as Error).message).toContain('Overloaded');
    server.reply(anthropicError(529, 'overloaded_error', 'Overloaded'), anthropicMessage(OK));
    expect((await withResilience(CASES[1]!.create(server.baseUrl), noWait).complete(REQUEST)).content).toBe(OK);
  });

  it('fails a 400 invalid request without retrying', async () => {
    server.reply(anthropicError(400, 'invalid_request_error', 'max_tokens: Field required'));
    await expect(withResilience(CASES[1]!.create(server.baseUrl), noWait).complete(REQUEST)).rejects.toMatchObject({ code: 'LLM_REQUEST_REJECTED', retriable: false, status: 400 });
    expect(server.requests).toHaveLength(1);
  });
});
