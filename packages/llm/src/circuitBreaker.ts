import { isRetriable } from '@supportstream/errors';
import { CircuitOpenError } from './errors.js';

export type CircuitState = 'closed' | 'open' | 'half_open';

/** How a call's error affects the breaker: a provider failure, proof the provider answers, or neither. */
export type FailureKind = 'failure' | 'healthy' | 'ignore';

export interface CircuitBreakerOptions {
  /** Named in CircuitOpenError messages; usually the provider. */
  readonly name: string;
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. Default 30 s. */
  readonly cooldownMs?: number;
  readonly now?: () => number;
  readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  /** Default: retriable errors are failures (outage, overload, timeout, rate limit); others prove the provider answered. */
  readonly classify?: (error: unknown) => FailureKind;
}

export interface CircuitBreaker {
  /** The current state, for metrics. It changes when calls arrive: open turns half-open at the first call after the cooldown. */
  readonly state: CircuitState;
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export function defaultClassify(error: unknown): FailureKind {
  if (error instanceof CircuitOpenError) return 'ignore';
  return isRetriable(error) ? 'failure' : 'healthy';
}

/**
 * closed → open after `failureThreshold` consecutive failures; open fails fast with a retriable
 * CircuitOpenError; after `cooldownMs` the next call is a trial (half-open, every other call still
 * fails fast): its success closes the circuit, its failure opens it for another cooldown. A call
 * the caller aborted says nothing about the provider and is ignored.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const now = options.now ?? Date.now;
  const classify = options.classify ?? defaultClassify;
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let trialInFlight = false;

  function move(next: CircuitState): void {
    if (next === state) return;
    const previous = state;
    state = next;
    options.onStateChange?.(next, previous);
  }

  function admit(): boolean {
    if (state === 'open') {
      const waited = now() - openedAt;
      if (waited < cooldownMs) throw new CircuitOpenError(options.name, cooldownMs - waited);
      move('half_open');
    }
    if (state === 'half_open') {
      if (trialInFlight) throw new CircuitOpenError(options.name, 0);
      trialInFlight = true;
      return true;
    }
    return false;
  }

  function record(kind: FailureKind, trial: boolean): void {
    if (trial) trialInFlight = false;
    if (kind === 'ignore') return;
    if (kind === 'healthy') {
      failures = 0;
      move('closed');
      return;
    }
    failures += 1;
    if (trial || failures >= threshold) {
      openedAt = now();
      move('open');
    }
  }

  return {
    get state() {
      return state;
    },
    async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const trial = admit();
      try {
        const result = await call();
        record('healthy', trial);
        return result;
      } catch (error) {
        record(signal?.aborted ? 'ignore' : classify(error), trial);
        throw error;
      }
    },
  };
}
