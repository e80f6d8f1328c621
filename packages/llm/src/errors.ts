import { InvalidInputError, PlatformError, TransientError, type PlatformErrorOptions } from '@supportstream/errors';

type Options = Omit<PlatformErrorOptions, 'retriable'>;

/** The provider asked us to slow down (HTTP 429). `retryAfterMs` is its `retry-after`, if given. */
export class RateLimitError extends TransientError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs: number | undefined, options: Options = {}) {
    super('LLM_RATE_LIMITED', message, { ...options, details: { ...options.details, retryAfterMs } });
    this.retryAfterMs = retryAfterMs;
  }
}

/** The provider is down, overloaded (5xx, Anthropic 529), unreachable, or answered garbage. */
export class ProviderUnavailableError extends TransientError {
  constructor(message: string, options: Options = {}) {
    super('LLM_PROVIDER_UNAVAILABLE', message, options);
  }
}

/** One call took longer than its timeout. */
export class LlmTimeoutError extends TransientError {
  constructor(timeoutMs: number, options: Options = {}) {
    super('LLM_TIMEOUT', `model call timed out after ${timeoutMs} ms`, { ...options, details: { ...options.details, timeoutMs } });
  }
}

/**
 * The provider refused the request (400, 401, 403, 404, 422): a bad key, an unknown model, an
 * invalid request. Retrying the same request cannot help.
 */
export class ProviderRequestError extends PlatformError {
  readonly status: number;
  constructor(status: number, message: string, options: Options = {}) {
    super(status === 401 || status === 403 ? 'LLM_AUTH_FAILED' : 'LLM_REQUEST_REJECTED', message, {
      ...options,
      retriable: false,
      details: { ...options.details, status },
    });
    this.status = status;
  }
}

/** The circuit breaker is open: the provider failed repeatedly, calls fail fast until the cooldown ends. */
export class CircuitOpenError extends TransientError {
  readonly retryAfterMs: number;
  constructor(provider: string, retryAfterMs: number) {
    super('LLM_CIRCUIT_OPEN', `circuit for ${provider} is open; next trial in ${retryAfterMs} ms`, { details: { provider, retryAfterMs } });
    this.retryAfterMs = retryAfterMs;
  }
}

/** The model's answer did not match the task's output schema, even after one repair attempt. */
export class StructuredOutputError extends InvalidInputError {
  constructor(message: string, options: Options = {}) {
    super('STRUCTURED_OUTPUT_INVALID', message, options);
  }
}

/** The task input does not match the task's input schema: a caller bug, never retried. */
export class TaskInputError extends InvalidInputError {
  constructor(message: string, options: Options = {}) {
    super('LLM_TASK_INPUT_INVALID', message, options);
  }
}

/** Settings, providers or templates are missing or inconsistent. */
export class LlmConfigError extends PlatformError {
  constructor(message: string, options: Options = {}) {
    super('LLM_CONFIG_INVALID', message, { ...options, retriable: false });
  }
}
