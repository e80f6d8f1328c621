import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

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

/** Serves GET /metrics for Prometheus on 127.0.0.1 unless a host is given. Port 0 picks a free port. */
export async function startMetricsServer(registry: Registry, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url?.split('?')[0] === '/metrics') {
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
    response.end('not found; metrics are at GET /metrics');
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
