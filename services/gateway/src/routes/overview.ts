import type { Clock } from '@supportstream/events';
import type { ApprovalQueueSize, ReadModel } from '@supportstream/projections';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { HttpError, validationError } from '../httpErrors.js';
import type { AnalyticsOverview } from '../overview/analytics.js';
import { unavailableFigures, type OperationsFigures, type OperationsSource } from '../overview/operations.js';
import { DEFAULT_OVERVIEW_WINDOW, OVERVIEW_WINDOW_NAMES, windowRange } from '../overview/window.js';

/** The Overview's sources; main.ts builds them over the gateway's pool and Kafka client. */
export interface OverviewSources {
  /** The tenant's support figures (the analytics tables of migration 013). */
  readonly analytics: AnalyticsOverview;
  /** Consumer lag and dead-letter sizes (admins only); without it they are reported unavailable. */
  readonly operations?: OperationsSource;
}

export const overviewQuery = z.strictObject({
  window: z.enum(OVERVIEW_WINDOW_NAMES, { message: `must be one of ${OVERVIEW_WINDOW_NAMES.join(', ')}` }).default(DEFAULT_OVERVIEW_WINDOW),
});

export interface OverviewDeps {
  readonly readModel: ReadModel;
  readonly sources: OverviewSources | undefined;
  readonly clock: Clock;
}

function approvalsView(queue: ApprovalQueueSize, now: Date) {
  const oldestWaitingMs = queue.oldestRequestedAt === null ? null : Math.max(0, now.getTime() - Date.parse(queue.oldestRequestedAt));
  return { pending: queue.pending, oldestRequestedAt: queue.oldestRequestedAt, oldestWaitingMs };
}

/**
 * GET /v1/overview?window=1h|6h|24h|7d (supervisor, admin): the caller's tenant's resolution and
 * escalation rates, handling time, cost and LLM usage over the window with a bucketed series, the
 * pending approvals, and for admins only the cluster's consumer lag and dead-letter sizes
 * (`operations`; null for supervisors, since those figures are not the tenant's).
 */
export function getOverview(deps: OverviewDeps): RequestHandler {
  return async (req, res) => {
    const query = overviewQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const { sources } = deps;
    if (sources === undefined) throw new HttpError(503, 'UNAVAILABLE', 'the overview is not available on this gateway', { headers: { 'Retry-After': '60' } });
    const principal = principalOf(res);
    const now = deps.clock();
    const range = windowRange(query.data.window, now);
    const operations: Promise<OperationsFigures | null> =
      principal.role !== 'admin' ? Promise.resolve(null) : (sources.operations?.current() ?? Promise.resolve(unavailableFigures('this gateway reads no Kafka figures')));
    const [analytics, queue, kafka] = await Promise.all([sources.analytics.read(principal.tenantId, range), deps.readModel.approvalQueueSize(principal.tenantId), operations]);
    res.json({
      window: range.window,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      stepSeconds: range.stepMs / 1000,
      generatedAt: now.toISOString(),
      totals: analytics.totals,
      costs: analytics.costs,
      series: analytics.series,
      approvals: approvalsView(queue, now),
      operations: kafka,
    });
  };
}
