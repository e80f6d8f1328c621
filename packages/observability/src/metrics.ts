import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadinessReport } from './readiness.js';

export { Registry };

/** A metrics registry per process (never the global one), so tests and services stay isolated. */
export function createMetricsRegistry(labels: Readonly<Record<string, string>> = {}, withDefaults = true): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ ...labels });
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  /** Serves GET /ready from it: 200 when ready, 503 naming what is down. */
  readonly readiness?: () => ReadinessReport;
}

/**
 * Serves GET /metrics for Prometheus (and GET /ready when given a readiness source) on 127.0.0.1
 * unless a host is given. Port 0 picks a free port.
 */
export async function startMetricsServer(registry: Registry, port: number, host = '127.0.0.1', options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'GET' && path === '/ready' && options.readiness) {
      const report = options.readiness();
      response.writeHead(report.status === 'ready' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(report));
      return;
    }
    if (request.method === 'GET' && path === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(body);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`metrics collection failed: ${error instanceof Error ? error.message : String(error)}`);
        });
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(options.readiness ? 'not found; metrics are at GET /metrics, readiness at GET /ready' : 'not found; metrics are at GET /metrics');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

// Get-or-register: several components of one process (or several instances of one, such as two
// consumer runners) share a registry, and prom-client refuses a second metric of the same name.

/** The counter of that name already in the registry, or a new one registered there. */
export function registeredCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

/** The gauge of that name already in the registry, or a new one registered there. */
export function registeredGauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [registry] });
}

/** The histogram of that name already in the registry, or a new one registered there. */
export function registeredHistogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
  return (registry.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}
