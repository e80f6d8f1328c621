import { ConfigError, InvalidInputError, PlatformError, TransientError } from '@supportstream/errors';
import { z } from 'zod';
import type { Embedder } from './embedder.js';

export interface OpenAiCompatibleEmbedderOptions {
  /** API root without `/embeddings`, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly model: string;
  /**
   * Length of the vectors the model returns; every response is checked against it. Known OpenAI
   * models have a default; any other model must say.
   */
  readonly dimensions?: number;
  /**
   * Also send `dimensions` in the request, asking the model to shorten its vectors (OpenAI's
   * text-embedding-3 models). Off by default: servers whose model cannot shorten reject it.
   */
  readonly requestDimensions?: boolean;
  /** Texts per request (default 64). */
  readonly batchSize?: number;
  /** Per request, body included (default 30 s). */
  readonly timeoutMs?: number;
  /**
   * Wraps each request, e.g. `(attempt) => pRetry(attempt, { retries: 4, shouldRetry: ({ error }) => isRetriable(error) })`.
   * Without it an error is thrown at once, classified as retriable or not, for the caller's retry
   * policy (the consumer runner's backoff) to act on.
   */
  readonly retry?: <T>(attempt: () => Promise<T>) => Promise<T>;
  readonly fetch?: typeof fetch;
}

const KNOWN_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

const responseSchema = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().nonnegative() })),
  model: z.string().optional(),
  usage: z.object({ prompt_tokens: z.number().optional(), total_tokens: z.number().optional() }).optional(),
});

/**
 * Embeddings from any server speaking OpenAI's `POST /embeddings` (OpenAI, Azure-style proxies,
 * Ollama, vLLM, LiteLLM, …). Texts are sent in batches; each request has a timeout. Rate limits
 * (429), server errors (408/5xx), timeouts and network failures are `TransientError`s; a rejected
 * request (400/404/422) is an `InvalidInputError`; bad credentials (401/403), a malformed answer
 * and a vector of the wrong length are non-retriable `PlatformError`s.
 */
export function openAiCompatibleEmbedder(options: OpenAiCompatibleEmbedderOptions): Embedder {
  const dimensions = options.dimensions ?? KNOWN_DIMENSIONS[options.model];
  if (dimensions === undefined || !Number.isInteger(dimensions) || dimensions < 1) {
    throw new ConfigError(`embeddings model ${JSON.stringify(options.model)} needs its output dimensions (EMBEDDINGS_DIMENSIONS)`);
  }
  let endpoint: string;
  try {
    endpoint = new URL(`${options.baseUrl.replace(/\/+$/, '')}/embeddings`).toString();
  } catch (error) {
    throw new ConfigError('embeddings base URL is not a URL (EMBEDDINGS_BASE_URL)', { cause: error });
  }
  const batchSize = options.batchSize ?? 64;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  const retry = options.retry ?? (<T>(attempt: () => Promise<T>) => attempt());
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey !== undefined && options.apiKey !== '') headers['authorization'] = `Bearer ${options.apiKey}`;

  async function request(input: readonly string[]): Promise<number[][]> {
    const body = JSON.stringify({ input, model: options.model, ...(options.requestDimensions ? { dimensions } : {}) });
    const details = { model: options.model, endpoint, texts: input.length };
    let response: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      response = await doFetch(endpoint, { method: 'POST', headers, body, signal });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw timedOut
        ? new TransientError('EMBEDDINGS_TIMEOUT', `embeddings request timed out after ${timeoutMs} ms`, { cause: error, details })
        : new TransientError('EMBEDDINGS_UNAVAILABLE', `embeddings request failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, details });
    }
    if (!response.ok) throw statusError(response, text, details);

    let parsed: z.infer<typeof responseSchema>;
    try {
      parsed = responseSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new PlatformError('EMBEDDINGS_BAD_RESPONSE', `embeddings response is not the OpenAI format: ${text.slice(0, 200)}`, { cause: error, details });
    }
    // Filled, not sparse: a hole would be skipped by map() below and a missing index go unnoticed.
    const vectors: (number[] | undefined)[] = Array.from({ length: input.length }, () => undefined);
    for (const item of parsed.data) {
      if (item.index >= input.length) throw new PlatformError('EMBEDDINGS_BAD_RESPONSE', `embeddings response has index ${item.index} for ${input.length} inputs`, { details });
      if (item.embedding.length !== dimensions) {
        throw new PlatformError('EMBEDDINGS_DIMENSION_MISMATCH', `model ${options.model} returned ${item.embedding.length} dimensions, configured ${dimensions}`, { details });
      }
      vectors[item.index] = item.embedding;
    }
    return vectors.map((vector, index) => {
      if (vector === undefined) throw new PlatformError('EMBEDDINGS_BAD_RESPONSE', `embeddings response lacks index ${index}`, { details });
      return vector;
    });
  }

  return {
    dimensions,
    id: `openai-compatible:${options.model}:${dimensions}`,
    async embed(texts) {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        vectors.push(...(await retry(() => request(batch))));
      }
      return vectors;
    },
  };
}

function statusError(response: Response, body: string, details: Record<string, unknown>): PlatformError {
  const status = response.status;
  const reason = errorMessageOf(body);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const all = { ...details, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const message = `embeddings request failed with HTTP ${status}: ${reason}`;
  if (status === 429) return new TransientError('EMBEDDINGS_RATE_LIMITED', message, { details: all });
  if (status === 408 || status === 425 || status >= 500) return new TransientError('EMBEDDINGS_UNAVAILABLE', message, { details: all });
  if (status === 401 || status === 403) return new PlatformError('EMBEDDINGS_UNAUTHORIZED', message, { details: all });
  return new InvalidInputError('EMBEDDINGS_REJECTED', message, { details: all });
}

/** OpenAI errors are `{"error": {"message": …}}`; anything else is shown shortened. */
function errorMessageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON
  }
  return body.slice(0, 300) || '(empty body)';
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
