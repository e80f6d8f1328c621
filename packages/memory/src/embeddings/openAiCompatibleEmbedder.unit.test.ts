import { isRetriable } from '@supportstream/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddingsFixture, embeddingsReply, json, type FixtureReply } from '../../test/embeddingsFixture.js';
import { openAiCompatibleEmbedder } from './openAiCompatibleEmbedder.js';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function fixture(replies: FixtureReply[]) {
  const server = await embeddingsFixture(replies);
  closers.push(server.close);
  return server;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; retriable: boolean; message: string; details: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as { code: string; retriable: boolean; message: string; details: Record<string, unknown> };
}

describe('openAiCompatibleEmbedder against a local fixture server', () => {
  it('POSTs {input, model} to {baseUrl}/embeddings with the bearer key, in batches, in order', async () => {
    const server = await fixture([embeddingsReply(3), embeddingsReply(3, { reverse: true })]);
    const embedder = openAiCompatibleEmbedder({ baseUrl: `${server.baseUrl}/`, apiKey: 'sk-test', model: 'nomic-embed-text', dimensions: 3, batchSize: 2 });
    const vectors = await embedder.embed(['a', 'bb', 'ccc']);
    expect(vectors).toEqual([
      [1, 0, 0.5],
      [2, 1, 0.5],
      [3, 0, 0.5],
    ]);
    expect(server.requests.map((r) => [r.method, r.url, r.headers['authorization'], r.headers['content-type']])).toEqual([
      ['POST', '/v1/embeddings', 'Bearer sk-test', 'application/json'],
      ['POST', '/v1/embeddings', 'Bearer sk-test', 'application/json'],
    ]);
    expect(server.requests.map((r) => r.body)).toEqual([
      { input: ['a', 'bb'], model: 'nomic-embed-text' },
      { input: ['ccc'], model: 'nomic-embed-text' },
    ]);
    expect(embedder.id).toBe('openai-compatible:nomic-embed-text:3');
    expect(embedder.dimensions).toBe(3);
  });

  it('sends no request for no texts, no key when none is given, and dimensions only when asked', async () => {
    const server = await fixture([embeddingsReply(1536), embeddingsReply(256)]);
    expect(await openAiCompatibleEmbedder({ baseUrl: server.baseUrl, model: 'text-embedding-3-small' }).embed([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
    const defaults = openAiCompatibleEmbedder({ baseUrl: server.baseUrl, model: 'text-embedding-3-small' });
    expect(defaults.dimensions).toBe(1536);
    await defaults.embed(['x']);
    await openAiCompatibleEmbedder({ baseUrl: server.baseUrl, model: 'text-embedding-3-small', dimensions: 256, requestDimensions: true }).embed(['x']);
    expect(server.requests[0]!.headers['authorization']).toBeUndefined();
    expect(server.requests.map((r) => r.body.dimensions)).toEqual([undefined, 256]);
  });

  it('turns 429 into a retriable error carrying Retry-After, and succeeds once retried', async () => {
    const server = await fixture([
      (_request, response) => json(response, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '2' }),
      embeddingsReply(2),
    ]);
    const embedder = openAiCompatibleEmbedder({ baseUrl: server.baseUrl, model: 'm', dimensions: 2 });
    const error = await failure(embedder.embed(['hello']));
    expect(error).toMatchObject({ code: 'EMBEDDINGS_RATE_LIMITED', retriable: true, details: { status: 429, retryAfterMs: 2000 } });
    expect(error.message).toContain('Rate limit reached');
    expect(isRetriable(error)).toBe(true);

    // With a retry policy injected (p-retry in services), the caller never sees the 429.
    const retrying = await fixture([(_request, response) => json(response, 429, { error: { message: 'slow down' } }), embeddingsReply(2)]);
    const retry = async <T>(attempt: () => Promise<T>): Promise<T> => {
      try {
        return await attempt();
      } catch (first) {
        if (!isRetriable(first)) throw first;
        return attempt();
      }
    };
    expect(await openAiCompatibleEmbedder({ baseUrl: retrying.baseUrl, model: 'm', dimensions: 2, retry }).embed(['hello'])).toEqual([[5, 0]]);
    expect(retrying.requests).toHaveLength(2);
  });

  it('turns 400 into a non-retriable InvalidInputError with the server’s message', async () => {
    const server = await fixture([
      (_request, response) =>
        json(response, 400, { error: { message: "This model's maximum context length is 8192 tokens", type: 'invalid_request_error', param: null, code: null } }),
    ]);
    const error = await failure(openAiCompatibleEmbedder({ baseUrl: server.baseUrl, model: 'm', dimensions: 2 }).embed(['very long']));
    expect(error).toMatchObject({ code: 'EMBEDDINGS_REJECTED', retriable: false, details: { status: 400 } });
    expect(error.message).toContain('maximum context length');
  });

  it('classifies 5xx, 401, a network failure and a timeout', async () => {
    const server = await fixture([
      (_request, response) => json(response, 503, { error: { message: 'overloaded' } }),
      (_request, response) => json(response, 401, { error: { message: 'Incorrect API key provided' } }),
      () => undefined, // never answers
    ]);
    const embedder = openAiCompatibleEmbedder({ baseUrl: server.baseUrl, model: 'm', dimensions: 2, timeoutMs: 200 });
    expect(await failure(embedder.embed(['a']))).toMatchObject({ code: 'EMBEDDINGS_UNAVAILABLE', retriable: true });
    expect(await failure(embedder.embed(['a']))).toMatchObject({ code: 'EMBEDDINGS_UNAUTHORIZED', retriable: false });
    expect(await failure(embedder.embed(['a']))).toMatchObject({ code: 'EMBEDDINGS_TIMEOUT', retriable: true });
    const closed = openAiCompatibleEmbedder({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', dimensions: 2 });
    expect(await failure(closed.embed(['a']))).toMatchObject({ code: 'EMBEDDINGS_UNAVAILABLE', retriable: true });
  });

  it('refuses answers that are not the wire format or not the configured size', async () => {
    const server = await fixture([
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>proxy login</html>');
      },
      embeddingsReply(4),
      (_request, response) => json(response, 200, { data: [], model: 'm' }),
    ]);
    const embedder = openAiCompatibleEmbedder({ baseUrl: server.baseUrl, model: 'm', dimensions: 3 });
    expect(await failure(embedder.embed(['a']))).toMatchObject({ code: 'EMBEDDINGS_BAD_RESPONSE', retriable: false });
    expect(await failure(embedder.embed(['a']))).toMatchObject({ code: 'EMBEDDINGS_DIMENSION_MISMATCH', retriable: false });
    expect(await failure(embedder.embed(['a']))).toMatchObject({ code: 'EMBEDDINGS_BAD_RESPONSE', retriable: false });
  });

  it('needs the dimensions of a model it does not know', () => {
    expect(() => openAiCompatibleEmbedder({ baseUrl: 'http://127.0.0.1/v1', model: 'mystery' })).toThrow(/EMBEDDINGS_DIMENSIONS/);
    expect(() => openAiCompatibleEmbedder({ baseUrl: 'not a url', model: 'm', dimensions: 2 })).toThrow(/EMBEDDINGS_BASE_URL/);
  });
});
