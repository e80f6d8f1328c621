import type { SupportEvent } from '@supportstream/events';
import type { EventProducer } from '@supportstream/kafka';
import type { Logger } from '@supportstream/observability';
import { HttpError } from '../httpErrors.js';
import type { GatewayMetrics } from '../httpMetrics.js';

/** Publishes and waits for the broker's acknowledgement (acks=all); a failure is a 503 to the caller. */
export type Publish = (events: readonly SupportEvent[]) => Promise<void>;

export function publisher(producer: Pick<EventProducer, 'publish'>, metrics: GatewayMetrics, logger: Logger): Publish {
  return async (events) => {
    try {
      await producer.publish(events);
    } catch (error) {
      logger.error({ err: error, eventIds: events.map((event) => event.metadata.eventId), correlationIds: events.map((event) => event.metadata.correlationId) }, 'publish failed');
      throw new HttpError(503, 'UNAVAILABLE', 'the event could not be published; retry (with the same Idempotency-Key) shortly', { headers: { 'Retry-After': '5' }, cause: error });
    }
    for (const event of events) metrics.published.inc({ event_type: event.type });
  };
}
