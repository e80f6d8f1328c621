import type { Logger, Registry } from '@supportstream/observability';
import type { RequestHandler } from 'express';
import { checkReadiness, type ReadinessCheck } from '../readiness.js';

export const health: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

/** 200 when every dependency answers within the timeout, else 503; each component's status either way. */
export function ready(checks: Readonly<Record<string, ReadinessCheck>>, timeoutMs: number, logger: Logger): RequestHandler {
  return async (_req, res) => {
    const report = await checkReadiness(checks, timeoutMs, (name, error) => logger.warn({ err: error, component: name }, 'readiness check failed'));
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  };
}

export function metricsEndpoint(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const body = await registry.metrics();
    res.type(registry.contentType).send(body);
  };
}

export function openApi(document: object): RequestHandler {
  return (_req, res) => {
    res.json(document);
  };
}
