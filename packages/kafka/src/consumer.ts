import { EventDecodeError, type EventCodec, type EventType, type SupportEvent } from '@supportstream/events';
import { errorCode, errorMessage, isRetriable } from '@supportstream/errors';
import type { Logger, Registry } from '@supportstream/observability';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import pRetry, { AbortError } from 'p-retry';
import { createIdempotentProducer } from './client.js';
import { defaultDeadLetterTopic, sendToDeadLetterTopic } from './deadLetter.js';
import type { ProcessedEvents } from './dedupe.js';
import { consumerMetrics } from './metrics.js';

export interface HandlerContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: IHeaders;
  readonly schemaId: number;
  readonly attempt: number;
  /** Aborted when the consumer is stopping; long handlers should give up and be redelivered. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export type EventHandler<T extends EventType = EventType> = (event: SupportEvent<T>, context: HandlerContext) => Promise<void>;
export type EventHandlers = { readonly [K in EventType]?: EventHandler<K> };

export interface RetryPolicy {
  /** Retries after the first attempt, for retriable errors only. */
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export interface ConsumerRunnerOptions {
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handlers: EventHandlers;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Skip events whose id this group already handled (redeliveries, re-emitted step events). */
  readonly processedEvents?: ProcessedEvents;
  readonly retry?: Partial<RetryPolicy>;
  /** After the last retry of a retriable failure: dead-letter the message (default) or stop the consumer. */
  readonly onRetriesExhausted?: 'dead-letter' | 'stop';
  readonly deadLetterTopic?: (topic: string) => string;
  readonly fromBeginning?: boolean;
  /** Partitions handled in parallel; order is kept within each partition. */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
}

export interface ConsumerRunner {
  start(): Promise<void>;
  /** Finishes the message in hand, commits what was handled and leaves the group. */
  stop(): Promise<void>;
  readonly consumer: Consumer;
}

type Outcome = 'handled' | 'ignored' | 'duplicate' | 'dead_lettered';
type EventFields = { readonly correlationId?: string; readonly eventType?: string; readonly eventId?: string };

const DEFAULT_RETRY: RetryPolicy = { retries: 5, minDelayMs: 200, maxDelayMs: 10_000 };

class StopConsumerError extends Error {
  override readonly name = 'StopConsumerError';
}

/**
 * The consumer loop every service uses: decode, deduplicate, dispatch by event type, retry
 * retriable failures with backoff, dead-letter poison messages, and commit an offset only after
 * its message was handled or dead-lettered. Heartbeats continue while a slow handler runs, so a
 * long LLM call does not cost a rebalance.
 */
export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 3_000;
  const group = options.groupId;
  const metrics = consumerMetrics(options.metrics);
  const logger = options.logger.child({ component: 'consumer', group });
  const dlqTopicOf = options.deadLetterTopic ?? defaultDeadLetterTopic;
  const consumer = options.kafka.consumer({
    groupId: group,
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: Math.max(60_000, sessionTimeout),
    allowAutoTopicCreation: false,
  });
  const dlqProducer: Producer = createIdempotentProducer(options.kafka);
  const stopping = new AbortController();
  let started = false;

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    metrics.rebalances.inc({ group });
    logger.info({ memberId: event.payload.memberId, assignment: event.payload.memberAssignment }, 'joined group');
  });

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number, fields: EventFields): Promise<void> {
    const dlqTopic = dlqTopicOf(topic);
    await sendToDeadLetterTopic(dlqProducer, dlqTopic, { topic, partition, message, group, error, attempts, failedAt: new Date() });
    metrics.deadLettered.inc({ group, topic, reason: errorCode(error) });
    logger.warn({ topic, partition, offset: message.offset, ...fields, dlqTopic, code: errorCode(error), reason: errorMessage(error) }, 'message dead-lettered');
  }

  async function handle(topic: string, partition: number, message: KafkaMessage): Promise<Outcome> {
    let attempts = 0;
    let eventType = 'unknown';
    // What the per-message log lines say about the event, once it decoded (correlation across services).
    let fields: EventFields = {};
    const started = process.hrtime.bigint();
    // Kept outside the retry: p-retry rejects on abort even after a successful attempt, and a
    // handled message must still be acknowledged when a shutdown began while it ran.
    let outcome: Outcome | undefined;
    try {
      await pRetry(
        async () => {
          attempts += 1;
          // Decoding is inside the retry: a registry outage is retriable, bad bytes are not.
          const { event, schemaId } = await options.codec.decode(message.value);
          eventType = event.type;
          fields = { correlationId: event.metadata.correlationId, eventType: event.type, eventId: event.metadata.eventId };
          const handler = options.handlers[event.type] as EventHandler | undefined;
          if (!handler) {
            outcome = 'ignored';
            return;
          }
          if (options.processedEvents && (await options.processedEvents.seen(group, event.metadata.eventId))) {
            outcome = 'duplicate';
            return;
          }
          let handlerLogger: Logger | undefined;
          const context: HandlerContext = {
            topic,
            partition,
            offset: message.offset,
            headers: message.headers ?? {},
            schemaId,
            attempt: attempts,
            signal: stopping.signal,
            // Built on first use: most handlers never log, and a child logger per message costs.
            get logger() {
              handlerLogger ??= logger.child({ topic, partition, offset: message.offset, correlationId: event.metadata.correlationId, eventType: event.type });
              return handlerLogger;
            },
          };
          await handler(event, context);
          await options.processedEvents?.remember(group, event.metadata.eventId);
          outcome = 'handled';
        },
        {
          retries: retry.retries,
          minTimeout: retry.minDelayMs,
          maxTimeout: retry.maxDelayMs,
          factor: 2,
          randomize: true,
          signal: stopping.signal,
          shouldRetry: ({ error }) => isRetriable(error) && !stopping.signal.aborted,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (isRetriable(error) && retriesLeft > 0) {
              metrics.retries.inc({ group, topic });
              logger.warn({ topic, partition, offset: message.offset, ...fields, attempt: attemptNumber, code: errorCode(error), reason: errorMessage(error) }, 'retriable failure; retrying');
            }
          },
        },
      );
      return outcome ?? 'handled';
    } catch (error) {
      if (outcome !== undefined) return outcome;
      // Stopping mid-retry: leave the offset uncommitted so the message is delivered again.
      if (stopping.signal.aborted || error instanceof AbortError) throw new StopConsumerError('stopping', { cause: error });
      if (isRetriable(error) && options.onRetriesExhausted === 'stop') {
        throw new StopConsumerError(`retries exhausted at ${topic}[${partition}]@${message.offset}: ${errorMessage(error)}`, { cause: error });
      }
      if (!(error instanceof EventDecodeError) && !isRetriable(error)) {
        logger.error({ err: error, topic, partition, offset: message.offset, eventType, ...fields }, 'handler failed with a non-retriable error');
      }
      await deadLetter(topic, partition, message, error, attempts, fields);
      return 'dead_lettered';
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.handleDuration.observe({ group, topic, event_type: eventType }, seconds);
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale() || stopping.signal.aborted) break;
      metrics.inFlight.inc({ group });
      // Keep the group membership alive while the handler runs (a slow LLM call, a long retry).
      const beat = setInterval(() => {
        payload.heartbeat().catch((error: unknown) => logger.debug({ err: error }, 'heartbeat during handling failed'));
      }, heartbeatInterval);
      let outcome: Outcome;
      try {
        outcome = await handle(topic, partition, message);
      } catch (error) {
        if (error instanceof StopConsumerError && stopping.signal.aborted) return;
        throw error;
      } finally {
        clearInterval(beat);
        metrics.inFlight.dec({ group });
      }
      metrics.messages.inc({ group, topic, outcome });
      payload.resolveOffset(message.offset);
      metrics.lag.set({ group, topic, partition: String(partition) }, Math.max(0, Number(batch.highWatermark) - Number(message.offset) - 1));
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }

  return {
    consumer,
    async start() {
      if (started) return;
      started = true;
      await dlqProducer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch,
      });
      logger.info({ topics: options.topics }, 'consumer started');
    },
    async stop() {
      if (!started) return;
      stopping.abort();
      // disconnect() waits for the batch in hand and commits the offsets resolved so far.
      await consumer.disconnect();
      await dlqProducer.disconnect();
      started = false;
      logger.info('consumer stopped');
    },
  };
}
