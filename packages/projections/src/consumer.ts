import { EventDecodeError, type EventCodec } from '@supportstream/events';
import { errorCode, errorMessage, isRetriable } from '@supportstream/errors';
import { consumerMetrics, createIdempotentProducer, defaultDeadLetterTopic, sendToDeadLetterTopic } from '@supportstream/kafka';
import { registeredCounter, registeredHistogram, type Logger, type Registry } from '@supportstream/observability';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import pRetry from 'p-retry';
import type { ProjectedEvent } from './fold.js';
import type { ApplyResult, PartitionBatch, Projector } from './projector.js';

export interface ProjectionConsumerOptions {
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  readonly projector: Projector;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Undecodable messages: to the topic's DLQ (the live service) or only counted (a rebuild: the live one already dead-lettered them). */
  readonly deadLetter: boolean;
  /** Only messages below these offsets (`topic:partition` → offset) are projected; the rest wait. A rebuild sets this. */
  readonly stopAt?: () => ReadonlyMap<string, bigint>;
  readonly onApplied?: (result: ApplyResult, batch: PartitionBatch) => void | Promise<void>;
  readonly partitionsConsumedConcurrently?: number;
}

export interface ProjectionConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resumes partitions paused at their `stopAt` limit (after the limits were raised). */
  resumePaused(): void;
  readonly consumer: Consumer;
}

function projectionMetrics(registry: Registry) {
  return {
    events: registeredCounter(registry, 'projection_events_total', 'Events by outcome: applied, duplicate (id seen before), already_projected (below the stored offset), undecodable', ['projection', 'outcome']),
    batchDuration: registeredHistogram(registry, 'projection_batch_duration_seconds', 'Time to decode and apply one partition batch in one transaction', ['projection'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
  };
}

/**
 * Feeds a projector from Kafka, one transaction per partition batch. The projector's stored
 * offsets are the truth; the group's committed offsets only follow them (for lag monitoring and
 * a quick restart), so committing them late or twice loses nothing.
 */
export function createProjectionConsumer(options: ProjectionConsumerOptions): ProjectionConsumer {
  const group = options.groupId;
  const logger = options.logger.child({ component: 'projection-consumer', group, schema: options.projector.schema });
  const kafkaMetrics = consumerMetrics(options.metrics);
  const metrics = projectionMetrics(options.metrics);
  const projection = options.projector.schema;
  const consumer = options.kafka.consumer({ groupId: group, sessionTimeout: 30_000, heartbeatInterval: 3_000, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024 });
  const dlqProducer = options.deadLetter ? createIdempotentProducer(options.kafka) : undefined;
  let started = false;
  const paused = new Map<string, () => void>();

  consumer.on(consumer.events.GROUP_JOIN, () => kafkaMetrics.rebalances.inc({ group }));

  async function decode(topic: string, partition: number, message: KafkaMessage): Promise<ProjectedEvent | undefined> {
    try {
      // A registry outage is retriable; bad bytes are not.
      const { event, schemaId } = await pRetry(() => options.codec.decode(message.value), { retries: 5, minTimeout: 200, maxTimeout: 5_000, shouldRetry: ({ error }) => isRetriable(error) });
      return { event, topic, partition, offset: message.offset, schemaId };
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      metrics.events.inc({ projection, outcome: 'undecodable' });
      if (dlqProducer) {
        await sendToDeadLetterTopic(dlqProducer, defaultDeadLetterTopic(topic), { topic, partition, message, group, error, attempts: 1, failedAt: new Date() });
        kafkaMetrics.deadLettered.inc({ group, topic, reason: errorCode(error) });
        logger.warn({ topic, partition, offset: message.offset, code: errorCode(error), reason: errorMessage(error) }, 'undecodable message dead-lettered');
      }
      return undefined;
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const limit = options.stopAt?.().get(`${topic}:${partition}`);
    const messages = limit === undefined && options.stopAt ? [] : batch.messages.filter((message) => limit === undefined || BigInt(message.offset) < limit);
    if (messages.length === 0) {
      // At the limit: stop fetching this partition until the limits move (unresolved messages are fetched again then).
      if (options.stopAt) paused.set(`${topic}:${partition}`, payload.pause());
      return;
    }
    if (!payload.isRunning() || payload.isStale()) return;
    const timer = metrics.batchDuration.startTimer({ projection });
    const records: ProjectedEvent[] = [];
    for (const message of messages) {
      const record = await decode(topic, partition, message);
      if (record) records.push(record);
    }
    const last = messages.at(-1)?.offset ?? '0';
    const projected: PartitionBatch = { topic, partition, records, lastOffset: last };
    const result = await options.projector.apply(projected);
    timer();
    metrics.events.inc({ projection, outcome: 'applied' }, result.applied);
    metrics.events.inc({ projection, outcome: 'duplicate' }, result.duplicates);
    metrics.events.inc({ projection, outcome: 'already_projected' }, result.alreadyProjected);
    kafkaMetrics.messages.inc({ group, topic, outcome: 'handled' }, messages.length);
    kafkaMetrics.lag.set({ group, topic, partition: String(partition) }, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
    payload.resolveOffset(last);
    await options.onApplied?.(result, projected);
    await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
  }

  return {
    consumer,
    async start() {
      if (started) return;
      started = true;
      await dlqProducer?.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
      await consumer.run({ autoCommit: true, autoCommitInterval: 1_000, eachBatchAutoResolve: false, partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3, eachBatch });
      logger.info({ topics: options.topics }, 'projection consumer started');
    },
    resumePaused() {
      const resumers = [...paused.values()];
      paused.clear();
      for (const resume of resumers) resume();
    },
    async stop() {
      if (!started) return;
      await consumer.disconnect();
      await dlqProducer?.disconnect();
      started = false;
      logger.info('projection consumer stopped');
    },
  };
}
