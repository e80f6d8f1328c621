import { registeredCounter, registeredGauge, registeredHistogram, type Logger, type Registry } from '@supportstream/observability';
import type { Request, RequestHandler } from 'express';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Principal } from './auth/principal.js';

export interface GatewayMetrics {
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly authFailures: Counter<'reason'>;
  readonly rateLimited: Counter<'kind'>;
  readonly openStreams: Gauge;
  readonly published: Counter<'event_type'>;
}

/** The gateway's metrics, registered once per registry (a second app on the same registry reuses them). */
export function gatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    requestDuration: registeredHistogram(
      registry,
      'http_request_duration_seconds',
      'HTTP request duration by method, route pattern and status (SSE streams: the whole connection)',
      ['method', 'route', 'status'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    authFailures: registeredCounter(registry, 'gateway_auth_failures_total', 'Requests refused with 401, by reason', ['reason']),
    rateLimited: registeredCounter(registry, 'gateway_rate_limited_total', 'Requests refused with 429: rate limit or too many open streams', ['kind']),
    openStreams: registeredGauge(registry, 'gateway_sse_streams_open', 'Server-sent event streams open now'),
    published: registeredCounter(registry, 'gateway_events_published_total', 'Events the gateway published, by type', ['event_type']),
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
