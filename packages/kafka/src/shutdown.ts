import type { Logger } from '@supportstream/observability';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when it finished within `graceMs`,
 * 1 when it failed or took too long (the orchestrator would kill the process anyway). The signal
 * returned is aborted when the shutdown begins, so a start-up still waiting for a dependency
 * gives up instead of starting what is being stopped.
 */
export function onShutdown(stop: () => Promise<void>, logger: Logger, graceMs = 25_000): AbortSignal {
  const stopping = new AbortController();
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    stopping.abort(new Error(`${signal} received`));
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return stopping.signal;
}
