import type { Logger, Registry } from '@supportstream/observability';
import type { Request, RequestHandler } from 'express';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Principal } from './auth/principal.js';

export interface GatewayMetrics {
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly authFailures: Counter<'reason'>;
  readonly rateLimited: Counter<'kind'>;
  readonly openStreams: Gauge;
  readonly published: Counter<'event_type'>;
}

function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** The gateway's metrics, registered once per registry (a second app on the same registry reuses them). */
export function gatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  return {
    requestDuration: metric(
      registry,
      'http_request_duration_seconds',
      () =>
        new Histogram({
          name: 'http_request_duration_seconds',
          help: 'HTTP request duration by method, route pattern and status (SSE streams: the whole connection)',
          labelNames: ['method', 'route', 'status'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers,
        }),
    ),
    authFailures: metric(registry, 'gateway_auth_failures_total', () => new Counter({ name: 'gateway_auth_failures_total', help: 'Requests refused with 401, by reason', labelNames: ['reason'], registers })),
    rateLimited: metric(
      registry,
      'gateway_rate_limited_total',
      () => new Counter({ name: 'gateway_rate_limited_total', help: 'Requests refused with 429: rate limit or too many open streams', labelNames: ['kind'], registers }),
    ),
    openStreams: metric(registry, 'gateway_sse_streams_open', () => new Gauge({ name: 'gateway_sse_streams_open', help: 'Server-sent event streams open now', registers })),
    published: metric(registry, 'gateway_events_published_total', () => new Counter({ name: 'gateway_events_published_total', help: 'Events the gateway published, by type', labelNames: ['event_type'], registers })),
  };
}

/** The route pattern (`/v1/conversations/:id`), never the raw path, so label values stay bounded. */
function routeOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? route.path : 'unmatched';
}

/** Times every request and writes one access log line when it ends. */
export function observeRequests(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      const status = res.headersSent ? res.statusCode : 499;
      metrics.requestDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      const principal = res.locals['principal'] as Principal | undefined;
      (res.locals['logger'] as Logger).info(
        { method: req.method, route, status, durationMs: Math.round(seconds * 1000), ...(principal ? { tenantId: principal.tenantId, subject: principal.subject, role: principal.role } : {}) },
        'request',
      );
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
