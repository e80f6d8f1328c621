import type { DependencyCheck } from '@supportstream/observability';
import { Kafka as KafkaJs, logLevel } from 'kafkajs';

export interface PlatformDependencies {
  /** The brokers the service uses; probed by a quiet client of its own (no retries, nothing logged). */
  readonly kafka?: { readonly brokers: readonly string[]; readonly clientId: string };
  /** A connection that is not shared with the handlers (a pool of one), so a busy service is not reported down. */
  readonly postgres?: { query(text: string): Promise<unknown> };
  readonly redis?: { ping(): Promise<unknown> };
  /** The registry's Confluent-compatible base URL. */
  readonly registryUrl?: string;
}

/**
 * The probes of a service's dependencies, by the names /ready and `supportstream_dependency_up`
 * show: `kafka` (a metadata request), `postgres` (SELECT 1), `redis` (PING), `registry` (the list of
 * subjects). Each answers now or fails now: no retries, the monitor probes again.
 */
export function dependencyChecks(dependencies: PlatformDependencies): Record<string, DependencyCheck> {
  const checks: Record<string, DependencyCheck> = {};
  if (dependencies.kafka) {
    const client = new KafkaJs({
      clientId: `${dependencies.kafka.clientId}-health`,
      brokers: [...dependencies.kafka.brokers],
      // The service's own clients log the outage; a probe every second would only repeat it.
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_500,
      requestTimeout: 2_000,
      retry: { retries: 0 },
    });
    checks['kafka'] = async () => {
      const admin = client.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.describeCluster();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    };
  }
  const { postgres, redis, registryUrl } = dependencies;
  if (postgres) checks['postgres'] = () => postgres.query('SELECT 1');
  if (redis) checks['redis'] = () => redis.ping();
  if (registryUrl !== undefined) {
    const url = `${registryUrl.replace(/\/+$/, '')}/subjects`;
    checks['registry'] = async (signal) => {
      const response = await fetch(url, { signal });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`the registry answered ${response.status}`);
    };
  }
  return checks;
}
