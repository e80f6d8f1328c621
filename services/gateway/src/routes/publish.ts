import type { SupportEvent } from '@supportstream/events';
import type { EventProducer } from '@supportstream/kafka';
import type { Logger } from '@supportstream/observability';
import { HttpError } from '../httpErrors.js';
import type { GatewayMetrics } from '../httpMetrics.js';

/** Publishes and waits for the broker's acknowledgement (acks=all); a failure is a 503 to the caller. */
export type Publish = (events: readonly SupportEvent[]) => Promise<void>;

/** How long a request waits for the broker's acknowledgement before it is answered 503 (GATEWAY_PUBLISH_TIMEOUT_MS). */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;

class PublishTimeout extends Error {
  override readonly name = 'PublishTimeout';
}

/**
 * While the broker is away, kafkajs retries a send for a minute or more; the caller is answered
 * 503 after `timeoutMs` instead of waiting that long. The send goes on in the background and may
 * still land: a retry with the same Idempotency-Key then derives the same event id, which the
 * consumers drop as a duplicate (documented on the 503 of POST /v1/requests).
 */
export function publisher(producer: Pick<EventProducer, 'publish'>, metrics: GatewayMetrics, logger: Logger, timeoutMs: number = DEFAULT_PUBLISH_TIMEOUT_MS): Publish {
  return async (events) => {
    let timer: NodeJS.Timeout | undefined;
    const sending = producer.publish(events);
    try {
      await Promise.race([
        sending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new PublishTimeout(`the broker did not acknowledge within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      if (error instanceof PublishTimeout) {
        sending.then(
          () => logger.warn({ eventIds: events.map((event) => event.metadata.eventId) }, 'publish acknowledged after its request was answered 503'),
          () => undefined,
        );
      }
      logger.error({ err: error, eventIds: events.map((event) => event.metadata.eventId), correlationIds: events.map((event) => event.metadata.correlationId) }, 'publish failed');
      throw new HttpError(503, 'UNAVAILABLE', 'the event could not be published; retry (with the same Idempotency-Key) shortly', { headers: { 'Retry-After': '5' }, cause: error });
    } finally {
      clearTimeout(timer);
    }
    for (const event of events) metrics.published.inc({ event_type: event.type });
  };
}
