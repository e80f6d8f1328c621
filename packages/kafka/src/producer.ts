import { topicOf, type EventCodec, type SupportEvent } from '@supportstream/events';
import { TransientError } from '@supportstream/errors';
import type { Logger, Registry } from '@supportstream/observability';
import { CompressionTypes, type IHeaders, type Message, type Producer } from 'kafkajs';
import { createIdempotentProducer, namesOf, type KafkaClient } from './client.js';
import { createCoalescer } from './coalescer.js';
import { AVRO_CONTENT_TYPE, HEADER, type MessageHeaders } from './headers.js';
import { producerMetrics } from './metrics.js';

export interface EventProducerOptions {
  readonly kafka: KafkaClient;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Where an event goes (a logical topic, namespaced by the client); defaults to its declared topic. Shadow runs and tests override it. */
  readonly topicFor?: (event: SupportEvent) => string;
  readonly compression?: 'none' | 'gzip';
  /** How long a send waits for more publishes to join it (default 0: a send leaves at once, and publishes made meanwhile join the next one). */
  readonly lingerMs?: number;
}

/** Where the broker wrote (part of) a send: one entry per topic partition. */
export interface PublishedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset: string | undefined;
}

export interface PublishOptions {
  /** Routing headers for some of the events (by event id): what consumers route on, never part of the event. */
  readonly routing?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export interface EventProducer {
  connect(): Promise<void>;
  /**
   * Publishes events in order; resolves once the broker acknowledged all of them (acks=all).
   * Concurrent calls share sends: the result lists the partitions of the send that carried them.
   */
  publish(events: readonly SupportEvent[], options?: PublishOptions): Promise<readonly PublishedRecord[]>;
  disconnect(): Promise<void>;
}

/** A Kafka message as this package produces it (key, value, headers), independent of the client library. */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly timestamp: string;
  readonly headers: MessageHeaders;
}

/** Builds the Kafka message for an event: key = conversationId, ids and the route in the headers. */
export function toMessage(event: SupportEvent, value: Buffer, routing: Readonly<Record<string, string>> = {}): OutgoingMessage {
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
      [HEADER.producer]: metadata.producer,
      [HEADER.contentType]: AVRO_CONTENT_TYPE,
      ...(metadata.causationId === null ? {} : { [HEADER.causationId]: metadata.causationId }),
      // Always on a step, '' when nothing is next: consumers then know no service needs to look at it.
      ...(event.type === 'AgentStepCompleted' ? { [HEADER.nextNode]: event.data.next ?? '' } : {}),
      ...routing,
    },
  };
}

interface Encoded {
  readonly topic: string;
  readonly message: Message;
  readonly eventType: string;
}

/**
 * The platform's event producer: idempotent, acks=all, and one send at a time; publishes made
 * while a send is in flight are coalesced into the next send (FIFO, so order per key holds).
 */
export function createEventProducer(options: EventProducerOptions): EventProducer {
  const producer: Producer = createIdempotentProducer(options.kafka);
  const metrics = producerMetrics(options.metrics);
  const logger = options.logger.child({ component: 'producer' });
  const names = namesOf(options.kafka);
  const logicalTopicFor = options.topicFor ?? ((event: SupportEvent) => topicOf(event.type));
  const topicFor = (event: SupportEvent) => names.topic(logicalTopicFor(event));
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;

  async function send(pending: readonly Promise<readonly Encoded[]>[]): Promise<readonly PublishedRecord[]> {
    // A publish whose encoding failed is left out; its caller gets the encoding error.
    const groups = (await Promise.allSettled(pending)).flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value] : []));
    if (groups.length === 0) return [];
    const byTopic = new Map<string, Message[]>();
    for (const entry of groups.flat()) {
      const messages = byTopic.get(entry.topic);
      if (messages) messages.push(entry.message);
      else byTopic.set(entry.topic, [entry.message]);
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    const started = process.hrtime.bigint();
    try {
      const result = await producer.sendBatch({ topicMessages, acks: -1, compression });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const { topic } of topicMessages) metrics.sendDuration.observe({ topic }, seconds);
      for (const entry of groups.flat()) metrics.messages.inc({ topic: entry.topic, event_type: entry.eventType });
      return result.map((entry) => ({ topic: names.logicalTopic(entry.topicName), partition: entry.partition, baseOffset: entry.baseOffset }));
    } catch (error) {
      for (const { topic } of topicMessages) metrics.errors.inc({ topic });
      const count = groups.reduce((sum, group) => sum + group.length, 0);
      logger.error({ err: error, topics: [...byTopic.keys()] }, 'publish failed');
      throw new TransientError('PUBLISH_FAILED', `could not publish ${count} event(s): ${(error as Error).message}`, { cause: error });
    }
  }

  async function encode(events: readonly SupportEvent[], routing: PublishOptions['routing']): Promise<readonly Encoded[]> {
    const encoded: Encoded[] = [];
    for (const event of events) {
      const message = toMessage(event, await options.codec.encode(event), routing?.get(event.metadata.eventId));
      encoded.push({ topic: topicFor(event), eventType: event.type, message: { ...message, headers: message.headers as IHeaders } });
    }
    return encoded;
  }

  const enqueue = createCoalescer(send, { lingerMs: options.lingerMs ?? 0 });

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async publish(events, publishOptions = {}) {
      if (events.length === 0) return [];
      // Queued at once, encoded meanwhile: sends keep the order of the publish calls (FIFO per key).
      const encoded = encode(events, publishOptions.routing);
      encoded.catch(() => undefined);
      const records = await enqueue(encoded);
      await encoded;
      return records;
    },
  };
}
