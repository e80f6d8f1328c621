import { maskDeep } from '@supportstream/privacy/mask';
import type { SupportEvent } from '@supportstream/events';
import type { EventHandlers, HandlerContext } from '@supportstream/kafka';
import { registeredCounter, type Logger, type Registry } from '@supportstream/observability';
import type pg from 'pg';
import { deliver } from './webhook.js';

export interface NotifierOptions {
  readonly pool: pg.Pool;
  readonly replyWebhookUrl: string | undefined;
  readonly alertWebhookUrl: string | undefined;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly metrics: Registry;
}

/**
 * Delivers replies and supervisor alerts to their webhooks. A delivery is recorded after the
 * receiver accepted it and checked before every attempt, so redelivered events are not sent
 * twice; failures are retried by the consumer with backoff and dead-lettered after the last try.
 */
export function createNotifier(options: NotifierOptions): EventHandlers {
  const delivered = registeredCounter(options.metrics, 'notifications_delivered_total', 'Notifications accepted by their webhook, by kind and outcome', ['kind', 'outcome']);

  async function send(kind: 'reply' | 'alert', id: string, url: string | undefined, event: SupportEvent, context: HandlerContext, payload: Record<string, unknown>): Promise<void> {
    if (!url) {
      delivered.inc({ kind, outcome: 'no_webhook' });
      return;
    }
    const already = await options.pool.query('SELECT 1 FROM delivered_notifications WHERE notification_id = $1', [id]);
    if ((already.rowCount ?? 0) > 0) {
      delivered.inc({ kind, outcome: 'duplicate' });
      return;
    }
    const status = await deliver({ url, secret: options.secret, id, timeoutMs: options.timeoutMs, payload });
    await options.pool.query(
      `INSERT INTO delivered_notifications (notification_id, kind, conversation_id, target, status_code) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (notification_id) DO NOTHING`,
      [id, kind, event.metadata.conversationId, url, status],
    );
    delivered.inc({ kind, outcome: 'delivered' });
    // The handler's logger carries the event's correlationId, topic, partition and offset.
    context.logger.info({ kind, id, conversationId: event.metadata.conversationId, status }, 'notification delivered');
  }

  return {
    ReplyReady: (event, context) =>
      send('reply', event.data.replyId, options.replyWebhookUrl, event, context, {
        type: 'reply',
        replyId: event.data.replyId,
        conversationId: event.metadata.conversationId,
        tenantId: event.metadata.tenantId,
        customerId: event.data.customerId,
        channel: event.data.channel,
        body: event.data.body,
        citations: event.data.citations,
        occurredAt: event.metadata.occurredAt.toISOString(),
      }),
    // Staff read alerts: personal data in them is masked (a reply, to the customer, stays as it is).
    SupervisorAlert: (event, context) =>
      send('alert', event.data.alertId, options.alertWebhookUrl, event, context, maskDeep({
        type: 'alert',
        alertId: event.data.alertId,
        conversationId: event.metadata.conversationId,
        tenantId: event.metadata.tenantId,
        severity: event.data.severity,
        reason: event.data.reason,
        message: event.data.message,
        approvalId: event.data.approvalId,
        occurredAt: event.metadata.occurredAt.toISOString(),
      })),
  };
}
