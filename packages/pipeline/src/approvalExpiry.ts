import { stableId, type EventContext, type EventFactory, type SupportEvent } from '@supportstream/events';
import type { EventHandlers, EventProducer, MessageRoute } from '@supportstream/kafka';
import { registeredCounter, type Logger, type Registry } from '@supportstream/observability';
import type pg from 'pg';
import { registerPendingApprovalsGauge } from './metrics.js';

export interface ApprovalExpiryOptions {
  readonly pool: pg.Pool;
  readonly producer: EventProducer;
  readonly factory: EventFactory;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly checkEveryMs: number;
  /** Written into ApprovalExpired: what the run does instead. */
  readonly fallbackPath: string;
  readonly clock?: () => Date;
}

export interface ApprovalExpiry {
  readonly handlers: EventHandlers;
  /** The messages it reads, from their headers (route before decoding). */
  readonly accepts: (route: MessageRoute) => boolean;
  start(): void;
  stop(): void;
  /** One pass: emits ApprovalExpired for every pending approval past its expiry. Returns how many. */
  expireDue(): Promise<number>;
}

/**
 * Tracks pending approvals (from ApprovalRequested) and emits ApprovalExpired when one is not
 * decided in time. The event's id derives from the approval, so replicas that both notice the
 * same expiry produce one event as far as consumers are concerned.
 */
export function createApprovalExpiry(options: ApprovalExpiryOptions): ApprovalExpiry {
  const { pool, producer, factory } = options;
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger.child({ component: 'approval-expiry' });
  const expired = registeredCounter(options.metrics, 'approvals_expired_total', 'Approvals that expired without a decision');
  registerPendingApprovalsGauge(options.metrics, pool, logger);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const setStatus = (approvalId: string, status: 'decided' | 'expired') =>
    pool.query(`UPDATE pending_approvals SET status = $2, updated_at = now() WHERE approval_id = $1 AND status = 'pending'`, [approvalId, status]);

  async function expireDue(): Promise<number> {
    const due = await pool.query<{ approval_id: string; context: EventContext; expires_at: Date }>(
      `SELECT approval_id, context, expires_at FROM pending_approvals WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT 100`,
      [clock()],
    );
    if (due.rows.length === 0) return 0;
    const events: SupportEvent[] = due.rows.map((row) =>
      factory.create(
        'ApprovalExpired',
        { approvalId: row.approval_id, expiredAt: row.expires_at, fallbackPath: options.fallbackPath },
        row.context,
        stableId('approval-expired', row.approval_id),
        row.expires_at,
      ),
    );
    await producer.publish(events);
    expired.inc(events.length);
    // One line per approval, with its correlation id, so the expiry shows up in the conversation's trail.
    for (const row of due.rows) logger.info({ approvalId: row.approval_id, conversationId: row.context.conversationId, correlationId: row.context.correlationId }, 'approval expired');
    return events.length;
  }

  const reads = new Set(['ApprovalRequested', 'ApprovalDecided', 'ApprovalExpired']);
  return {
    expireDue,
    accepts: (route) => route.eventType === undefined || reads.has(route.eventType),
    handlers: {
      ApprovalRequested: async (event) => {
        const context: EventContext = { ...event.metadata, causationId: event.metadata.eventId };
        await pool.query(
          `INSERT INTO pending_approvals (approval_id, conversation_id, checkpoint_id, context, expires_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (approval_id) DO NOTHING`,
          [
            event.data.approvalId,
            event.metadata.conversationId,
            event.data.checkpointId,
            JSON.stringify({ conversationId: context.conversationId, requestId: context.requestId, tenantId: context.tenantId, correlationId: context.correlationId, causationId: context.causationId, customerId: context.customerId ?? null }),
            event.data.expiresAt,
          ],
        );
      },
      ApprovalDecided: async (event) => {
        await setStatus(event.data.approvalId, 'decided');
      },
      ApprovalExpired: async (event) => {
        await setStatus(event.data.approvalId, 'expired');
      },
    },
    start() {
      timer = setInterval(() => {
        if (running) return;
        running = expireDue()
          .catch((error: unknown) => {
            logger.warn({ err: error }, 'expiry check failed; will retry');
            return 0;
          })
          .finally(() => {
            running = undefined;
          });
      }, options.checkEveryMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
