import { ConfigError, errorCode, errorMessage } from '@supportstream/errors';
import { registeredCounter, type ComponentState, type DependencyMonitor, type Logger, type Registry } from '@supportstream/observability';
import pRetry from 'p-retry';
import { onShutdown } from './shutdown.js';

export interface StartupRetry {
  /** First wait after a failed attempt (default 1 s); each next one doubles, with jitter. */
  readonly minDelayMs: number;
  /** The longest wait between attempts (default 30 s). */
  readonly maxDelayMs: number;
}

export interface ServiceLifecycleOptions {
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Its report gets a `startup` component (down until started()); the monitor is started here and stopped on shutdown. */
  readonly monitor?: DependencyMonitor;
  /**
   * The drain, run once on SIGTERM or SIGINT, also while the start-up still waits: it must skip
   * what was not started yet.
   */
  readonly stop: () => Promise<void>;
  readonly graceMs?: number;
  readonly retry?: Partial<StartupRetry>;
}

export interface ServiceLifecycle {
  /** Aborted once SIGTERM or SIGINT arrived. */
  readonly stopping: AbortSignal;
  /**
   * Runs `attempt` until it succeeds: a dependency that is down (or not there yet) is waited for
   * with capped exponential backoff and jitter, never a reason to exit. A programming error
   * (TypeError, ReferenceError, RangeError, SyntaxError) or a ConfigError ends the start-up at once.
   * Once the shutdown began it never settles: the drain exits the process.
   */
  untilAvailable<T>(what: string, attempt: () => Promise<T>): Promise<T>;
  /** Logs `service started` (the line scripts wait for) and marks the start-up up in /ready. */
  started(fields?: Record<string, unknown>): void;
}

const DEFAULT_RETRY: StartupRetry = { minDelayMs: 1_000, maxDelayMs: 30_000 };
const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);

/** Errors no amount of waiting fixes: the code or the configuration is wrong. */
export function isFatalAtStartup(error: unknown): boolean {
  return error instanceof ConfigError || (error instanceof Error && PROGRAMMING_ERRORS.has(error.name));
}

/**
 * The life of a service process: the SIGTERM/SIGINT drain (onShutdown), a start-up that waits
 * for its dependencies instead of exiting, and a guard that logs (and counts) a promise rejection
 * nobody handled instead of letting it end the process; a library's stray rejection during an
 * outage must not take a healthy service down. Call it once per process, in main, before the
 * first await on a dependency.
 */
export function startServiceLifecycle(options: ServiceLifecycleOptions): ServiceLifecycle {
  const { logger, monitor } = options;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const unhandled = registeredCounter(options.metrics, 'supportstream_unhandled_rejections_total', 'Promise rejections nobody handled (logged; the process keeps running)');
  process.on('unhandledRejection', (reason) => {
    unhandled.inc();
    logger.error({ err: reason }, 'unhandled promise rejection; the service keeps running');
  });
  const startup: ComponentState | undefined = monitor?.component('startup', 'starting');
  const stopping = onShutdown(
    async () => {
      monitor?.stop();
      await options.stop();
    },
    logger,
    options.graceMs,
  );
  monitor?.start();

  return {
    stopping,
    async untilAvailable(what, attempt) {
      try {
        return await pRetry(attempt, {
          retries: Number.POSITIVE_INFINITY,
          factor: 2,
          minTimeout: retry.minDelayMs,
          maxTimeout: retry.maxDelayMs,
          randomize: true,
          signal: stopping,
          shouldRetry: ({ error }) => !isFatalAtStartup(error),
          onFailedAttempt: ({ error, attemptNumber }) => {
            if (isFatalAtStartup(error)) return;
            const reason = errorMessage(error);
            startup?.down(`waiting for ${what}: ${reason}`);
            logger.warn({ waitingFor: what, attempt: attemptNumber, code: errorCode(error), reason, maxDelayMs: retry.maxDelayMs }, 'start-up waits for a dependency; retrying with backoff');
          },
        });
      } catch (error) {
        // The drain runs and exits the process; nothing after this await may start.
        if (stopping.aborted) return new Promise<never>(() => undefined);
        logger.fatal({ err: error, starting: what }, `cannot start: ${errorMessage(error)}`);
        throw error;
      }
    },
    started(fields = {}) {
      startup?.up();
      logger.info(fields, 'service started');
    },
  };
}
