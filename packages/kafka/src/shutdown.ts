import type { Logger } from '@supportstream/observability';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when it finished within `graceMs`,
 * 1 when it failed or took too long (the orchestrator would kill the process anyway).
 */
export function onShutdown(stop: () => Promise<void>, logger: Logger, graceMs = 25_000): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
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
}
