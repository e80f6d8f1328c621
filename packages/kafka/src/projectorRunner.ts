import { EventDecodeError, type DecodedEvent, type EventCodec } from '@supportstream/events';
import { isRetriable } from '@supportstream/errors';
import type { DependencyMonitor, Logger, Registry } from '@supportstream/observability';
import type { KafkaMessage } from 'kafkajs';
import pRetry from 'p-retry';
import type { KafkaClient } from './client.js';
import type { CoPartitionedOptions } from './coPartitionedAssigner.js';
import { createConsumerLoop, StopConsumerError, type LoopBatch } from './consumerLoop.js';

/** A decoded record of a partition batch. */
export interface ProjectedRecord extends DecodedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** One partition's decodable messages in offset order; `lastOffset` also covers those that could not be decoded. */
export interface ProjectedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ProjectedRecord[];
  readonly lastOffset: string;
  /** Messages the batch covers (decoded or not). */
  readonly messages: number;
}

export interface ProjectorRunnerOptions {
  readonly kafka: KafkaClient;
  readonly codec: EventCodec;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Builds the read model from one partition's batch; the batch is committed after it resolves. */
  readonly handleBatch: (batch: ProjectedBatch) => Promise<void>;
  /** Undecodable messages go to the topic's DLQ (true, the live projector) or are only reported (false: a rebuild, the live one dead-lettered them). */
  readonly deadLetter: boolean;
  readonly onUndecodable?: (topic: string, partition: number, offset: string, error: EventDecodeError) => void;
  /** Only messages below these offsets (`topic:partition` → offset) are handled; a partition at its limit is paused. A rebuild sets this. */
  readonly stopAt?: () => ReadonlyMap<string, bigint>;
  readonly partitionsConsumedConcurrently?: number;
  readonly maxBytesPerPartition?: number;
  readonly fromBeginning?: boolean;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Partition p of every topic to one member, once this many joined (shards of a rebuild). */
  readonly coPartitioned?: CoPartitionedOptions;
  readonly onAssignment?: (assignment: Readonly<Record<string, readonly number[]>>) => void;
  readonly maxWaitTimeMs?: number;
  /** With the service's dependency monitor, a batch that fails while a dependency is down waits for it and is applied again (as in the reactor mode). */
  readonly dependencies?: DependencyMonitor;
}

export interface ProjectorRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resumes partitions paused at their `stopAt` limit (after the limits were raised). */
  resumePaused(): void;
}

/**
 * The projector mode of the consumer loop: the loop decodes a whole partition batch (registry
 * outages retried, undecodable messages dead-lettered as in the reactor mode), hands it to
 * `handleBatch` in one call, then resolves and commits it. Same heartbeat, lag, stop and
 * rebalance rules as the reactor mode.
 */
export function createProjectorRunner(options: ProjectorRunnerOptions): ProjectorRunner {
  const loop = createConsumerLoop({ ...options, deadLetterTopic: options.deadLetter ? undefined : false, maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024 });
  const { group, metrics, stopping } = loop;
  const paused = new Map<string, () => void>();

  async function decode(topic: string, partition: number, message: KafkaMessage): Promise<ProjectedRecord | undefined> {
    try {
      // A registry outage is retriable; bad bytes are not. The first attempt runs bare: a p-retry
      // wrapper around every decode cost about a tenth of a rebuild's CPU per event.
      const decoded = await options.codec.decode(message.value).catch((error: unknown) => {
        if (!isRetriable(error)) throw error;
        return pRetry(() => options.codec.decode(message.value), { retries: 4, minTimeout: 200, maxTimeout: 5_000, signal: stopping, shouldRetry: ({ error: retryError }) => isRetriable(retryError) });
      });
      return { ...decoded, topic, partition, offset: message.offset };
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      options.onUndecodable?.(topic, partition, message.offset, error);
      await loop.deadLetter({ topic, partition, message, error, attempts: 1 });
      return undefined;
    }
  }

  async function processBatch(batch: LoopBatch): Promise<void> {
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    const limit = options.stopAt?.().get(key);
    const messages = options.stopAt ? (limit === undefined ? [] : batch.messages.filter((message) => BigInt(message.offset) < limit)) : batch.messages;
    if (messages.length === 0) {
      // At the limit: stop fetching this partition until the limits move (unresolved messages are fetched again then).
      if (options.stopAt) paused.set(key, batch.pause());
      return;
    }
    if (!batch.isActive()) return;
    const lastOffset = messages.at(-1)?.offset ?? '0';
    try {
      // The read-model write commits the batch's offsets with it: applying it again after an outage is safe.
      // Decoding keeps its progress across attempts, so an undecodable message is dead-lettered once.
      const records: ProjectedRecord[] = [];
      let decoded = 0;
      await loop.throughOutages(batch, { topic, offset: messages[0]?.offset ?? lastOffset }, async () => {
        for (; decoded < messages.length; decoded += 1) {
          const record = await decode(topic, partition, messages[decoded] as KafkaMessage);
          if (record) records.push(record);
        }
        await options.handleBatch({ topic, partition, records, lastOffset, messages: messages.length });
      });
    } catch (error) {
      // Stopped, or the partition moved, while waiting: nothing resolved, the batch is fetched again.
      if (error instanceof StopConsumerError) return;
      throw error;
    }
    metrics.messages.inc({ group, topic, outcome: 'handled' }, messages.length);
    batch.resolve(lastOffset);
    await batch.commitIfDue();
  }

  return {
    start: () => loop.start(processBatch),
    stop: () => loop.stop(),
    resumePaused() {
      const resumers = [...paused.values()];
      paused.clear();
      for (const resume of resumers) resume();
    },
  };
}
