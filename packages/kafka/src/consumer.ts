import { EventDecodeError, type EventCodec, type EventType, type SupportEvent } from '@supportstream/events';
import { errorCode, errorMessage, isRetriable } from '@supportstream/errors';
import type { DependencyMonitor, Logger, Registry } from '@supportstream/observability';
import type { KafkaMessage } from 'kafkajs';
import pRetry, { AbortError } from 'p-retry';
import type { KafkaClient } from './client.js';
import { createCoalescer } from './coalescer.js';
import { createConsumerLoop, StopConsumerError, type LoopBatch } from './consumerLoop.js';
import type { ProcessedEvents } from './dedupe.js';
import { HEADER, headerValue, routeOf, type MessageHeaders, type MessageRoute } from './headers.js';
import { createSlots, dispatchKeyed } from './keyedDispatch.js';

export interface HandlerContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: MessageHeaders;
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
  readonly kafka: KafkaClient;
  readonly codec: EventCodec;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handlers: EventHandlers;
  readonly logger: Logger;
  readonly metrics: Registry;
  /**
   * Which messages are this consumer's, from the key and headers alone. Those it refuses are
   * acknowledged without decoding, deduplication or heartbeat, and counted as ignored. Default:
   * the `event-type` header names a handled type, or there is none (a foreign producer: decode).
   */
  readonly accepts?: (route: MessageRoute) => boolean;
  /**
   * Messages in flight at once for this consumer, across its partitions (default 16). Messages
   * with different keys run concurrently; one key's messages run strictly in order. 1: one at a time.
   */
  readonly maxInFlight?: number;
  /** Skip events whose id this group already handled, for handlers whose side effects are not idempotent by themselves. */
  readonly processedEvents?: ProcessedEvents;
  readonly retry?: Partial<RetryPolicy>;
  /** After the last retry of a retriable failure: dead-letter the message (default) or stop the consumer. */
  readonly onRetriesExhausted?: 'dead-letter' | 'stop';
  readonly deadLetterTopic?: (topic: string) => string;
  readonly fromBeginning?: boolean;
  /** Partitions handled in parallel; order is kept within each key of a partition. */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** The longest stop() waits for the handlers in flight and the group leave (default 15 s). */
  readonly drainTimeoutMs?: number;
  /**
   * The service's dependency monitor. With it, a message that fails while a dependency is down
   * (whatever the error says) is never dead-lettered: it waits, uncommitted, until every
   * dependency answers again and is retried; and the consumer reports its group membership in /ready.
   */
  readonly dependencies?: DependencyMonitor;
  /** How often a dead-letter write that waits is reported (default 30 s; see LoopOptions). */
  readonly deadLetterStallWarnMs?: number;
}

export interface ConsumerRunner {
  start(): Promise<void>;
  /** Stops taking messages, finishes the ones in flight, commits what was handled and leaves the group. */
  stop(): Promise<void>;
}

type Outcome = 'handled' | 'ignored' | 'duplicate' | 'dead_lettered';
type EventFields = { readonly correlationId?: string; readonly eventType?: string; readonly eventId?: string };

const DEFAULT_RETRY: RetryPolicy = { retries: 5, minDelayMs: 200, maxDelayMs: 10_000 };
const DEFAULT_MAX_IN_FLIGHT = 16;

/** The default route check: a handled type, or no type header at all (decode and see). */
export function acceptsHandledTypes(handlers: EventHandlers): (route: MessageRoute) => boolean {
  const types = new Set(Object.keys(handlers));
  return (route) => route.eventType === undefined || types.has(route.eventType);
}

/** What one batch knows about event ids before its messages run (one lookup for the whole batch). */
interface BatchDedupe {
  readonly seen: ReadonlySet<string>;
  readonly handledHere: Set<string>;
}

/**
 * The reactor mode of the consumer loop, the one every agent service uses: route on headers,
 * deduplicate (when asked) with one lookup per batch, run messages concurrently across keys and
 * in order within a key, retry retriable failures with backoff, dead-letter poison messages, and
 * commit only the contiguous prefix of handled messages. Heartbeats run on a timer per batch, so
 * a long LLM call does not cost a rebalance.
 */
export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const loop = createConsumerLoop({ ...options, deadLetterTopic: options.deadLetterTopic ?? undefined });
  const { group, logger, metrics, stopping } = loop;
  const accepts = options.accepts ?? acceptsHandledTypes(options.handlers);
  const slots = createSlots(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const store = options.processedEvents;
  // Handlers that finish at about the same time share one write.
  const remember = store ? createCoalescer((ids: readonly string[]) => store.rememberMany(group, ids)) : undefined;

  async function rememberHandled(eventId: string, fields: EventFields): Promise<void> {
    if (!remember) return;
    try {
      await pRetry(() => remember(eventId), { retries: retry.retries, minTimeout: retry.minDelayMs, maxTimeout: retry.maxDelayMs, randomize: true });
    } catch (error) {
      // The handler's effect happened; failing the message now would redo or dead-letter it. A redelivery may run it again.
      logger.error({ err: error, ...fields }, 'could not record the handled event id');
    }
  }

  async function isDuplicate(eventId: string | undefined, dedupe: BatchDedupe, lookUp: boolean): Promise<boolean> {
    if (!store || eventId === undefined) return false;
    if (dedupe.seen.has(eventId) || dedupe.handledHere.has(eventId)) return true;
    return lookUp && (await store.seenMany(group, [eventId])).has(eventId);
  }

  async function handle(batch: LoopBatch, message: KafkaMessage, dedupe: BatchDedupe): Promise<Outcome> {
    const { topic, partition } = batch;
    let attempts = 0;
    let eventType = 'unknown';
    // What the per-message log lines say about the event, once it decoded (correlation across services).
    let fields: EventFields = {};
    const started = process.hrtime.bigint();
    const headerId = headerValue(message.headers, HEADER.eventId);
    // Kept outside the retry: p-retry rejects on abort even after a successful attempt, and a
    // handled message must still be acknowledged when a shutdown began while it ran.
    let outcome: Outcome | undefined;
    let handledId: string | undefined;
    try {
      if (await isDuplicate(headerId, dedupe, false)) return 'duplicate';
      const at = {
        topic,
        offset: message.offset,
        get fields() {
          return fields;
        },
      };
      await loop.throughOutages(batch, at, () => pRetry(
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
          // The id header is what the batch looked up; a message without one is looked up now.
          if (await isDuplicate(event.metadata.eventId, dedupe, event.metadata.eventId !== headerId)) {
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
            signal: stopping,
            // Built on first use: most handlers never log, and a child logger per message costs.
            get logger() {
              handlerLogger ??= logger.child({ topic, partition, offset: message.offset, correlationId: event.metadata.correlationId, eventType: event.type });
              return handlerLogger;
            },
          };
          await handler(event, context);
          handledId = event.metadata.eventId;
          outcome = 'handled';
        },
        {
          retries: retry.retries,
          minTimeout: retry.minDelayMs,
          maxTimeout: retry.maxDelayMs,
          factor: 2,
          randomize: true,
          signal: stopping,
          shouldRetry: ({ error }) => isRetriable(error) && !stopping.aborted,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (isRetriable(error) && retriesLeft > 0) {
              metrics.retries.inc({ group, topic });
              logger.warn({ topic, partition, offset: message.offset, ...fields, attempt: attemptNumber, code: errorCode(error), reason: errorMessage(error) }, 'retriable failure; retrying');
            }
          },
        },
      ));
      return outcome ?? 'handled';
    } catch (error) {
      if (outcome !== undefined) return outcome;
      // Gave up waiting for a dependency: not handled, not dead-lettered.
      if (error instanceof StopConsumerError) throw error;
      // Stopping mid-retry: leave the offset uncommitted so the message is delivered again.
      if (stopping.aborted || error instanceof AbortError) throw new StopConsumerError('stopping', { cause: error });
      if (isRetriable(error) && options.onRetriesExhausted === 'stop') {
        throw new StopConsumerError(`retries exhausted at ${topic}[${partition}]@${message.offset}: ${errorMessage(error)}`, { cause: error });
      }
      if (!(error instanceof EventDecodeError) && !isRetriable(error)) {
        logger.error({ err: error, topic, partition, offset: message.offset, eventType, ...fields }, 'handler failed with a non-retriable error');
      }
      await loop.deadLetter({ topic, partition, message, error, attempts, fields });
      return 'dead_lettered';
    } finally {
      if (handledId !== undefined) {
        dedupe.handledHere.add(handledId);
        await rememberHandled(handledId, fields);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.handleDuration.observe({ group, topic, event_type: eventType }, seconds);
    }
  }

  async function lookUpBatch(batch: LoopBatch, messages: readonly KafkaMessage[]): Promise<BatchDedupe> {
    const { topic } = batch;
    const handledHere = new Set<string>();
    if (!store) return { seen: new Set(), handledHere };
    const ids = [...new Set(messages.map((message) => headerValue(message.headers, HEADER.eventId)).filter((id): id is string => id !== undefined))];
    if (ids.length === 0) return { seen: new Set(), handledHere };
    const seen = await loop.throughOutages(batch, { topic }, () => pRetry(() => store.seenMany(group, ids), { retries: retry.retries, minTimeout: retry.minDelayMs, maxTimeout: retry.maxDelayMs, randomize: true, signal: stopping }));
    logger.debug({ topic, ids: ids.length, seen: seen.size }, 'batch deduplication lookup');
    return { seen, handledHere };
  }

  async function processBatch(batch: LoopBatch): Promise<void> {
    const { topic } = batch;
    const routes = new Map(batch.messages.map((message) => [message, routeOf(topic, message)]));
    const isOurs = (message: KafkaMessage) => accepts(routes.get(message) ?? routeOf(topic, message));
    let dedupe: BatchDedupe;
    try {
      dedupe = await lookUpBatch(batch, batch.messages.filter(isOurs));
    } catch (error) {
      // Stopped (or the partition moved) while waiting for the store: nothing was handled; the batch is fetched again.
      if (error instanceof StopConsumerError) return;
      throw error;
    }
    let committing = false;
    const result = await dispatchKeyed({
      items: batch.messages,
      slots,
      keyOf: (message) => routes.get(message)?.key,
      skip: (message) => !isOurs(message),
      shouldStop: () => !batch.isActive(),
      run: async (message) => {
        metrics.inFlight.inc({ group });
        try {
          metrics.messages.inc({ group, topic, outcome: await handle(batch, message, dedupe) });
        } finally {
          metrics.inFlight.dec({ group });
        }
      },
      onContiguous: (index) => {
        const message = batch.messages[index];
        if (message) batch.resolve(message.offset);
        if (committing) return;
        committing = true;
        void batch.commitIfDue().finally(() => {
          committing = false;
        });
      },
    });
    if (result.skipped > 0) metrics.messages.inc({ group, topic, outcome: 'ignored' }, result.skipped);
    const failure = result.failure?.error;
    if (failure === undefined) return;
    // Stopping, or the partition moved while a message waited for a dependency: what is not done stays uncommitted.
    if (failure instanceof StopConsumerError && (stopping.aborted || !batch.isActive())) return;
    throw failure instanceof Error ? failure : new Error(errorMessage(failure), { cause: failure });
  }

  return {
    start: () => loop.start(processBatch),
    stop: () => loop.stop(),
  };
}
