import { topicOf, type EventCodec, type SupportEvent } from '@supportstream/events';
import { TransientError } from '@supportstream/errors';
import type { Logger, Registry } from '@supportstream/observability';
import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { createIdempotentProducer } from './client.js';
import { AVRO_CONTENT_TYPE, HEADER } from './headers.js';
import { producerMetrics } from './metrics.js';

export interface EventProducerOptions {
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Where an event goes; defaults to its declared topic. Shadow runs and tests override it. */
  readonly topicFor?: (event: SupportEvent) => string;
  readonly compression?: 'none' | 'gzip';
}

export interface EventProducer {
  connect(): Promise<void>;
  /** Publishes events in order; resolves once the broker acknowledged all of them (acks=all). */
  publish(events: readonly SupportEvent[]): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

/** Builds the Kafka message for an event: key = conversationId, ids in the headers. */
export function toMessage(event: SupportEvent, value: Buffer): Message {
  const { metadata } = event;
  return {
    key: metadata.conversationId,
    value,
    timestamp: String(metadata.occurredAt.getTime()),
    headers: {
      [HEADER.eventType]: event.type,
      [HEADER.eventId]: metadata.eventId,
      [HEADER.correlationId]: metadata.correlationId,
      [HEADER.tenantId]: metadata.tenantId,
      [HEADER.contentType]: AVRO_CONTENT_TYPE,
      ...(metadata.causationId === null ? {} : { [HEADER.causationId]: metadata.causationId }),
    },
  };
}

export function createEventProducer(options: EventProducerOptions): EventProducer {
  const producer: Producer = createIdempotentProducer(options.kafka);
  const metrics = producerMetrics(options.metrics);
  const logger = options.logger.child({ component: 'producer' });
  const topicFor = options.topicFor ?? ((event: SupportEvent) => topicOf(event.type));
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async publish(events) {
      if (events.length === 0) return [];
      const byTopic = new Map<string, Message[]>();
      for (const event of events) {
        const topic = topicFor(event);
        const message = toMessage(event, await options.codec.encode(event));
        const messages = byTopic.get(topic);
        if (messages) messages.push(message);
        else byTopic.set(topic, [message]);
      }
      const started = process.hrtime.bigint();
      const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      try {
        const result = await producer.sendBatch({ topicMessages, acks: -1, compression });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        for (const { topic } of topicMessages) metrics.sendDuration.observe({ topic }, seconds);
        for (const event of events) metrics.messages.inc({ topic: topicFor(event), event_type: event.type });
        return result;
      } catch (error) {
        for (const { topic } of topicMessages) metrics.errors.inc({ topic });
        logger.error({ err: error, topics: [...byTopic.keys()] }, 'publish failed');
        throw new TransientError('PUBLISH_FAILED', `could not publish ${events.length} event(s): ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
