import type { IHeaders } from 'kafkajs';

/** Header names written on every event and on dead-lettered messages. */
export const HEADER = {
  eventType: 'event-type',
  eventId: 'event-id',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  tenantId: 'tenant-id',
  contentType: 'content-type',
  dlqTopic: 'dlq-original-topic',
  dlqPartition: 'dlq-original-partition',
  dlqOffset: 'dlq-original-offset',
  dlqTimestamp: 'dlq-original-timestamp',
  dlqGroup: 'dlq-consumer-group',
  dlqErrorCode: 'dlq-error-code',
  dlqErrorMessage: 'dlq-error-message',
  dlqAttempts: 'dlq-attempts',
  dlqFailedAt: 'dlq-failed-at',
} as const;

export const AVRO_CONTENT_TYPE = 'application/vnd.supportstream.event+avro';

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}
