import { createHmac } from 'node:crypto';
import { InvalidInputError, TransientError } from '@supportstream/errors';

export const SIGNATURE_HEADER = 'x-supportstream-signature';
export const TIMESTAMP_HEADER = 'x-supportstream-timestamp';

/** `sha256=<hex>` over `<timestamp>.<body>`: the receiver recomputes it with the shared secret and rejects old timestamps. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookDelivery {
  readonly url: string;
  readonly secret: string;
  /** Also sent as Idempotency-Key, so a receiver can drop a repeat after a crash at the worst moment. */
  readonly id: string;
  readonly payload: unknown;
  readonly timeoutMs: number;
  readonly now?: () => Date;
}

/**
 * POSTs one notification. 2xx is delivered; 408, 429 and 5xx (and network errors, timeouts) are
 * retriable; any other answer means the receiver refuses this notification: not retriable.
 */
export async function deliver(delivery: WebhookDelivery): Promise<number> {
  const body = JSON.stringify(delivery.payload);
  const timestamp = String(Math.floor((delivery.now?.() ?? new Date()).getTime() / 1000));
  let response: Response;
  try {
    response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': delivery.id,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signature(delivery.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(delivery.timeoutMs),
    });
  } catch (error) {
    throw new TransientError('WEBHOOK_UNREACHABLE', `webhook ${delivery.url} did not answer: ${(error as Error).message}`, { cause: error });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return response.status;
  const details = { status: response.status, url: delivery.url };
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    throw new TransientError('WEBHOOK_UNAVAILABLE', `webhook ${delivery.url} answered ${response.status}`, { details });
  }
  throw new InvalidInputError('WEBHOOK_REJECTED', `webhook ${delivery.url} refused the notification with ${response.status}`, { details });
}
