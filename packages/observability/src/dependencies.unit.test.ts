import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createDependencyMonitor, type DependencyCheck } from './dependencies.js';
import { createLogger } from './logger.js';
import { createMetricsRegistry, startMetricsServer } from './metrics.js';

// The probes are plain functions here: the monitor's rules (states, transitions, waiting, /ready)
// are what this tests; the real probes run against the real stack in the services' tests.
function switchable(): { check: DependencyCheck; up: boolean } {
  const state = { up: true, check: () => (state.up ? Promise.resolve() : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))) };
  return state;
}

function captured() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const messages = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string });
  return { logger: createLogger({ service: 'unit', destination: stream }), messages };
}

async function gauge(registry: ReturnType<typeof createMetricsRegistry>, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))?.value;
}

describe('dependency monitor', () => {
  it('is not ready before the first round, then reports each dependency and sets its gauge', async () => {
    const postgres = switchable();
    const redis = switchable();
    redis.up = false;
    const registry = createMetricsRegistry({}, false);
    const monitor = createDependencyMonitor({ checks: { postgres: postgres.check, redis: redis.check }, registry, logger: captured().logger });
    expect(monitor.report()).toMatchObject({ status: 'unavailable', components: { postgres: { status: 'down', reason: 'not checked yet' } } });

    const report = await monitor.check();
    expect(report.status).toBe('unavailable');
    expect(report.components['postgres']?.status).toBe('up');
    expect(report.components['redis']).toMatchObject({ status: 'down', reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(monitor.down()).toEqual(['redis']);
    expect(await gauge(registry, 'supportstream_dependency_up', { dependency: 'postgres' })).toBe(1);
    expect(await gauge(registry, 'supportstream_dependency_up', { dependency: 'redis' })).toBe(0);
    expect(await gauge(registry, 'supportstream_ready')).toBe(0);

    redis.up = true;
    expect((await monitor.check()).status).toBe('ready');
    expect(await gauge(registry, 'supportstream_ready')).toBe(1);
  });

  it('counts a probe that does not answer in time as down', async () => {
    const monitor = createDependencyMonitor({
      checks: { kafka: () => new Promise(() => undefined) },
      registry: createMetricsRegistry({}, false),
      logger: captured().logger,
      timeoutMs: 50,
    });
    expect((await monitor.check()).components['kafka']).toMatchObject({ status: 'down', reason: 'no answer within 50 ms' });
  });

  it('logs an outage once when it begins and once when it ends, keeping when it began', async () => {
    const postgres = switchable();
    const { logger, messages } = captured();
    const monitor = createDependencyMonitor({ checks: { postgres: postgres.check }, registry: createMetricsRegistry({}, false), logger });
    await monitor.check();
    postgres.up = false;
    await monitor.check();
    const since = monitor.report().components['postgres']?.since;
    await monitor.check();
    await monitor.check();
    expect(monitor.report().components['postgres']?.since).toBe(since);
    postgres.up = true;
    await monitor.check();
    expect(messages().map((record) => record.msg)).toEqual(['dependency down', 'dependency back up']);
  });

  it('lets a waiter go once every dependency answers again, or when told to stop waiting', async () => {
    const postgres = switchable();
    postgres.up = false;
    const monitor = createDependencyMonitor({ checks: { postgres: postgres.check }, registry: createMetricsRegistry({}, false), logger: captured().logger, downIntervalMs: 20 });
    const waiting = monitor.waitUntilUp();
    setTimeout(() => {
      postgres.up = true;
    }, 100);
    await expect(waiting).resolves.toBe(true);

    postgres.up = false;
    await monitor.check();
    let stop = false;
    const abandoned = monitor.waitUntilUp({ shouldStop: () => stop });
    setTimeout(() => {
      stop = true;
    }, 60);
    await expect(abandoned).resolves.toBe(false);

    const controller = new AbortController();
    const aborted = monitor.waitUntilUp({ signal: controller.signal });
    controller.abort();
    await expect(aborted).resolves.toBe(false);
  });

  it('shares one probe round between callers that ask at the same moment', async () => {
    let probes = 0;
    const monitor = createDependencyMonitor({
      checks: {
        redis: async () => {
          probes += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        },
      },
      registry: createMetricsRegistry({}, false),
      logger: captured().logger,
    });
    await Promise.all([monitor.check(), monitor.check(), monitor.check()]);
    expect(probes).toBe(1);
    await monitor.check(10_000);
    expect(probes).toBe(1);
  });

  it('adds components that report their own state, and serves the report at GET /ready', async () => {
    const registry = createMetricsRegistry({ service: 'unit' }, false);
    const monitor = createDependencyMonitor({ checks: { postgres: switchable().check }, registry, logger: captured().logger });
    const consumer = monitor.component('consumer:g');
    await monitor.check();
    const server = await startMetricsServer(registry, 0, '127.0.0.1', { readiness: () => monitor.report() });
    try {
      const unready = await fetch(`http://127.0.0.1:${server.port}/ready`);
      expect(unready.status).toBe(503);
      expect(await unready.json()).toMatchObject({ status: 'unavailable', components: { postgres: { status: 'up' }, 'consumer:g': { status: 'down', reason: 'starting' } } });
      consumer.up();
      const ready = await fetch(`http://127.0.0.1:${server.port}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      consumer.down('crashed: KafkaJSNonRetriableError: boom');
      expect((await fetch(`http://127.0.0.1:${server.port}/ready`)).status).toBe(503);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
