import { registeredCounter as counter, registeredHistogram as histogram, type Logger, type Registry } from '@supportstream/observability';
import type pg from 'pg';
import { Gauge } from 'prom-client';

// A step is milliseconds (no model, or the offline one) to minutes (a slow model with retries).
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
// A supervisor decides in seconds to hours; expiries land at the approval TTL (1 h by default).
const DECISION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 43_200, 86_400];

/** The agent worker's metrics; several workers in one process share them through the registry. */
export function workerMetrics(registry: Registry) {
  return {
    steps: counter(registry, 'agent_steps_total', 'Graph steps handled, by node and outcome (ran, replayed, paused, stale)', ['service', 'node', 'outcome']),
    stepDuration: histogram(registry, 'agent_step_duration_seconds', 'Wall time of one graph step in its node (model calls included); observed when a step runs, not when it is replayed', ['service', 'node'], STEP_BUCKETS),
    failures: counter(registry, 'agent_step_failures_total', 'Steps that failed, by node and whether retriable', ['service', 'node', 'retriable']),
    refusals: counter(registry, 'approvals_refused_total', 'Approval decisions refused, by reason', ['service', 'reason']),
    queued: counter(registry, 'conversation_requests_queued_total', 'Follow-ups queued behind a run in flight', ['service']),
    decisionSeconds: histogram(
      registry,
      'approval_decision_seconds',
      'Time from ApprovalRequested to the decision or expiry that resumed the run, by outcome (APPROVED, REJECTED, EDITED, EXPIRED)',
      ['outcome'],
      DECISION_BUCKETS,
    ),
  };
}

export type WorkerMetrics = ReturnType<typeof workerMetrics>;

/**
 * `approvals_pending{tenant}`, read from `pending_approvals` at scrape time, so every replica of
 * the approvals service reports the same numbers and a restart loses nothing. Tenants seen since
 * start (and those with approvals on record at the first scrape) stay at 0 when nothing waits. A
 * failed read keeps the last values and is logged; it never fails the scrape.
 */
export function registerPendingApprovalsGauge(registry: Registry, pool: Pick<pg.Pool, 'query'>, logger: Logger): void {
  if (registry.getSingleMetric('approvals_pending')) return;
  const tenants = new Set<string>();
  let seeded = false;
  new Gauge({
    name: 'approvals_pending',
    help: 'Approvals waiting for a decision, by tenant (from the pending_approvals table at scrape time)',
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      try {
        if (!seeded) {
          const known = await pool.query<{ tenant: string | null }>(`SELECT DISTINCT context->>'tenantId' AS tenant FROM pending_approvals LIMIT 1000`);
          for (const row of known.rows) if (row.tenant) tenants.add(row.tenant);
          seeded = true;
        }
        const pending = await pool.query<{ tenant: string | null; pending: number }>(
          `SELECT context->>'tenantId' AS tenant, count(*)::int AS pending FROM pending_approvals WHERE status = 'pending' GROUP BY 1`,
        );
        const counts = new Map<string, number>();
        for (const row of pending.rows) {
          const tenant = row.tenant ?? 'unknown';
          tenants.add(tenant);
          counts.set(tenant, row.pending);
        }
        this.reset();
        for (const tenant of tenants) this.set({ tenant }, counts.get(tenant) ?? 0);
      } catch (error) {
        logger.warn({ err: error }, 'reading pending approvals for the approvals_pending gauge failed; keeping the last values');
      }
    },
  });
}
