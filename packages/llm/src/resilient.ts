import { isRetriable } from '@supportstream/errors';
import pRetry from 'p-retry';
import { createCircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuitBreaker.js';
import { CircuitOpenError, LlmTimeoutError, RateLimitError } from './errors.js';
import type { ChatModel, ChatOptions, ChatRequest, ChatResponse } from './port.js';

export interface ResilienceOptions {
  /** Per attempt. Default 30 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, for retriable errors only. Default 2. */
  readonly retries?: number;
  /** Backoff: minDelayMs × 2^n, randomised ×[1, 2), capped at maxDelayMs. Defaults 500 ms and 8 s. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A `retry-after` longer than this is not waited out here; the RateLimitError goes to the caller. Default 60 s. */
  readonly maxRetryAfterMs?: number;
  readonly breaker?: Pick<CircuitBreakerOptions, 'failureThreshold' | 'cooldownMs' | 'classify'>;
  readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  readonly onRetry?: (info: { readonly attempt: number; readonly error: unknown }) => void;
  /** Injected for tests: the breaker's clock and the wait for `retry-after`. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ResilientChatModel extends ChatModel {
  /** The circuit breaker's state, for metrics. */
  readonly circuitState: CircuitState;
}

export const RESILIENCE_DEFAULTS = { timeoutMs: 30_000, retries: 2, minDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000, failureThreshold: 5, cooldownMs: 30_000 } as const;

/**
 * Wraps any ChatModel with a per-attempt timeout, retries with exponential backoff and jitter
 * (p-retry) for retriable errors, and a circuit breaker around every attempt. A rate limit's
 * `retry-after` is the minimum wait before the next attempt.
 */
export function withResilience(model: ChatModel, options: ResilienceOptions = {}): ResilientChatModel {
  const timeoutMs = options.timeoutMs ?? RESILIENCE_DEFAULTS.timeoutMs;
  const minDelayMs = options.minDelayMs ?? RESILIENCE_DEFAULTS.minDelayMs;
  const maxDelayMs = options.maxDelayMs ?? RESILIENCE_DEFAULTS.maxDelayMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? RESILIENCE_DEFAULTS.maxRetryAfterMs;
  const sleep = options.sleep ?? defaultSleep;
  const breaker = createCircuitBreaker({
    name: model.provider,
    failureThreshold: options.breaker?.failureThreshold ?? RESILIENCE_DEFAULTS.failureThreshold,
    cooldownMs: options.breaker?.cooldownMs ?? RESILIENCE_DEFAULTS.cooldownMs,
    ...(options.breaker?.classify ? { classify: options.breaker.classify } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
  });

  return {
    provider: model.provider,
    model: model.model,
    get circuitState() {
      return breaker.state;
    },
    complete(request: ChatRequest, callOptions: ChatOptions = {}): Promise<ChatResponse> {
      const { signal } = callOptions;
      return pRetry(() => breaker.run(() => completeWithTimeout(model, request, timeoutMs, signal), signal), {
        retries: options.retries ?? RESILIENCE_DEFAULTS.retries,
        minTimeout: minDelayMs,
        maxTimeout: maxDelayMs,
        factor: 2,
        randomize: true,
        ...(signal ? { signal } : {}),
        shouldRetry: async ({ error, attemptNumber, retriesConsumed }) => {
          if (!isRetriable(error) || error instanceof CircuitOpenError || signal?.aborted) return false;
          if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
            if (error.retryAfterMs > maxRetryAfterMs) return false;
            // p-retry then waits its own backoff, at least this base; together ≥ retry-after.
            const base = Math.min(minDelayMs * 2 ** retriesConsumed, maxDelayMs);
            if (error.retryAfterMs > base) await sleep(error.retryAfterMs - base, signal);
          }
          options.onRetry?.({ attempt: attemptNumber, error });
          return true;
        },
      });
    },
  };
}

async function completeWithTimeout(model: ChatModel, request: ChatRequest, timeoutMs: number, signal: AbortSignal | undefined): Promise<ChatResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    // Raced against the signal too, so a model that ignores its signal still times out.
    return await raceAbort(model.complete(request, { signal: combined }), combined);
  } catch (error) {
    if (timeout.aborted && !signal?.aborted && !(error instanceof LlmTimeoutError)) throw new LlmTimeoutError(timeoutMs, { cause: error, details: { provider: model.provider } });
    throw error;
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
