import type { EventCodec } from '@supportstream/events';
import { createProjectorRunner, type CoPartitionedOptions, type KafkaClient, type ProjectedBatch } from '@supportstream/kafka';
import { registeredCounter, registeredHistogram, type DependencyMonitor, type Logger, type Registry } from '@supportstream/observability';
import type { ApplyResult, PartitionBatch, Projector } from './projector.js';

export interface ProjectionConsumerOptions {
  readonly kafka: KafkaClient;
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
  /** Fetch size per partition (the runner's default: 4 MiB). */
  readonly maxBytesPerPartition?: number;
  /** Shards of a rebuild: partition p of every topic to one member, once this many joined. */
  readonly coPartitioned?: CoPartitionedOptions;
  readonly onAssignment?: (assignment: Readonly<Record<string, readonly number[]>>) => void;
  /** Default 3 s. A member learns of a rebalance at its next heartbeat: shards joining one by one use a short one. */
  readonly heartbeatIntervalMs?: number;
  /** How long a fetch waits for data (default 5 s); also how long a member without partitions idles between heartbeats. */
  readonly maxWaitTimeMs?: number;
  /** The live service's dependency monitor: batches wait through outages instead of failing the consumer, and /ready shows the group membership. */
  readonly dependencies?: DependencyMonitor;
}

export interface ProjectionConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resumes partitions paused at their `stopAt` limit (after the limits were raised). */
  resumePaused(): void;
}

function projectionMetrics(registry: Registry) {
  return {
    events: registeredCounter(registry, 'projection_events_total', 'Events by outcome: applied, duplicate (id seen before), already_projected (below the stored offset), undecodable', ['projection', 'outcome']),
    batchDuration: registeredHistogram(registry, 'projection_batch_duration_seconds', 'Time to decode and apply one partition batch in one transaction', ['projection'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
  };
}

/**
 * Feeds a projector from Kafka through the consumer loop's projector mode, one transaction per
 * partition batch. The projector's stored offsets are the truth; the group's committed offsets
 * only follow them (for lag monitoring and a quick restart), so committing them late or twice
 * loses nothing.
 */
export function createProjectionConsumer(options: ProjectionConsumerOptions): ProjectionConsumer {
  const metrics = projectionMetrics(options.metrics);
  const projection = options.projector.schema;

  async function handleBatch(batch: ProjectedBatch): Promise<void> {
    const timer = metrics.batchDuration.startTimer({ projection });
    const projected: PartitionBatch = { topic: batch.topic, partition: batch.partition, records: batch.records, lastOffset: batch.lastOffset };
    const result = await options.projector.apply(projected);
    timer();
    metrics.events.inc({ projection, outcome: 'applied' }, result.applied);
    metrics.events.inc({ projection, outcome: 'duplicate' }, result.duplicates);
    metrics.events.inc({ projection, outcome: 'already_projected' }, result.alreadyProjected);
    await options.onApplied?.(result, projected);
  }

  return createProjectorRunner({
    kafka: options.kafka,
    codec: options.codec,
    groupId: options.groupId,
    topics: options.topics,
    logger: options.logger.child({ schema: projection }),
    metrics: options.metrics,
    deadLetter: options.deadLetter,
    onUndecodable: () => metrics.events.inc({ projection, outcome: 'undecodable' }),
    ...(options.stopAt ? { stopAt: options.stopAt } : {}),
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
    ...(options.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: options.maxBytesPerPartition }),
    ...(options.coPartitioned === undefined ? {} : { coPartitioned: options.coPartitioned }),
    ...(options.onAssignment === undefined ? {} : { onAssignment: options.onAssignment }),
    ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: options.maxWaitTimeMs }),
    ...(options.dependencies === undefined ? {} : { dependencies: options.dependencies }),
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
    handleBatch,
  });
}
