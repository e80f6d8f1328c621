import type { Kafka } from '@supportstream/kafka';
import type { Redis } from 'ioredis';
import type pg from 'pg';

/** Resolves when the dependency answers; throws (or times out) when it does not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

export interface ComponentStatus {
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'unavailable';
  readonly components: Record<string, ComponentStatus>;
}

export interface DependencyChecksOptions {
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly schemaRegistryUrl: string;
}

/** The checks behind GET /ready: Kafka, PostgreSQL, Redis and the schema registry. */
export function dependencyChecks(options: DependencyChecksOptions): Record<string, ReadinessCheck> {
  return {
    kafka: async () => {
      // No retries: readiness wants the answer now, not after kafkajs' backoff.
      const admin = options.kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.describeCluster();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    postgres: async () => {
      await options.pool.query('SELECT 1');
    },
    redis: async () => {
      await options.redis.ping();
    },
    schemaRegistry: async (signal) => {
      const response = await fetch(`${options.schemaRegistryUrl.replace(/\/+$/, '')}/subjects`, { signal });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`registry answered ${response.status}`);
    },
  };
}

/** Runs every check in parallel, each bounded by `timeoutMs`. */
export async function checkReadiness(checks: Readonly<Record<string, ReadinessCheck>>, timeoutMs: number, onFailure: (name: string, error: unknown) => void): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ComponentStatus]> => {
      const started = performance.now();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([check(controller.signal), timeout]);
        return [name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
      } catch (error) {
        onFailure(name, error);
        return [name, { status: 'down', latencyMs: Math.round(performance.now() - started) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const components = Object.fromEntries(entries);
  return { status: entries.every(([, component]) => component.status === 'up') ? 'ready' : 'unavailable', components };
}
