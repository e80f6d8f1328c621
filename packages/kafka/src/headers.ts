/** Header names written on every event and on dead-lettered messages. */
export const HEADER = {
  eventType: 'event-type',
  eventId: 'event-id',
  /** AgentStepCompleted only: the node the step hands over to ('' when the run ends or pauses), so services route before decoding. */
  nextNode: 'next-node',
  /** RunCompleted only: 'true' when a follow-up waits in the conversation's queue, 'false' when none does. */
  followUpQueued: 'follow-up-queued',
  /** The service that produced the event (its metadata.producer), so a service can skip its own announcements. */
  producer: 'producer',
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
  /** On a record put back from its dead-letter topic: the replay's id (deadLetters/). */
  dlqReplayId: 'dlq-replay-id',
} as const;

export const AVRO_CONTENT_TYPE = 'application/vnd.supportstream.event+avro';

/** Message headers as they come off the wire (a value may repeat). */
export type MessageHeaders = { readonly [name: string]: Buffer | string | readonly (Buffer | string)[] | undefined };

/** A message as consumed: what the dead-letter topic keeps of it. */
export interface ConsumedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
  /** Broker timestamp (ms since the epoch, as a string). */
  readonly timestamp: string;
  readonly headers?: MessageHeaders;
}

/** What a consumer can know of a message without decoding it: read from the key and headers only. */
export interface MessageRoute {
  readonly topic: string;
  readonly eventType: string | undefined;
  readonly nextNode: string | undefined;
  readonly producer: string | undefined;
  /** RunCompleted: whether a follow-up waits ('true' / 'false'); undefined without the header. */
  readonly followUpQueued: string | undefined;
  readonly key: string | undefined;
}

export function headerValue(headers: MessageHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? (value as readonly (Buffer | string)[])[0] : (value as Buffer | string | undefined);
  if (first === undefined || first === null) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

export function routeOf(topic: string, message: Pick<ConsumedMessage, 'key' | 'headers'>): MessageRoute {
  return {
    topic,
    eventType: headerValue(message.headers, HEADER.eventType),
    nextNode: headerValue(message.headers, HEADER.nextNode),
    producer: headerValue(message.headers, HEADER.producer),
    followUpQueued: headerValue(message.headers, HEADER.followUpQueued),
    key: message.key === null ? undefined : message.key.toString('utf8'),
  };
}
