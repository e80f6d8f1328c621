import { errorMessage, InvalidInputError, TransientError } from '@supportstream/errors';
import type { EventCodec } from '@supportstream/events';
import type { Pool } from '@supportstream/db';
import type { KafkaClient } from '@supportstream/kafka';
import { createMetricsRegistry, type Logger, type LoggerOptions } from '@supportstream/observability';
import { createBulkProjector } from './bulkProjector.js';
import { createProjectionConsumer } from './consumer.js';
import type { PrivacyEnv } from '@supportstream/privacy';

/** What a shard of a rebuild needs besides its clients; plain data, so a worker thread can receive it. */
export interface ShardSpec {
  readonly topics: readonly string[];
  readonly targetSchema: string;
  /** The rebuild's consumer group, shared by its shards. */
  readonly groupId: string;
  /** Shards in the group: partitions are assigned once all of them joined. 1: the whole log in one consumer. */
  readonly shards: number;
  /** `topic:partition` → offset to stop at (exclusive). */
  readonly targets: ReadonlyMap<string, bigint>;
}

export interface ShardClients {
  readonly kafka: KafkaClient;
  readonly codec: EventCodec;
  readonly pool: Pool;
  readonly logger: Logger;
}

export interface RebuildShard {
  start(): Promise<void>;
  /** Raises the stop offsets (the live offsets to compare at) and resumes paused partitions. */
  setTargets(targets: ReadonlyMap<string, bigint>): void;
  /** Writes what the shard folded; the timeline's indexes are built by the rebuild once all shards finished. */
  finish(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One member of a rebuild: a consumer of the rebuild's group that folds its partitions in memory
 * (`createBulkProjector`) and reports every applied batch through `onApplied(partition, next)`.
 * With several shards the group uses the co-partitioned assignment: each shard holds partition p
 * of every topic, so whole conversations, and nothing moves once folding began. A partition taken
 * away later (a member left) fails the shard: what it folded would be split, so the rebuild stops
 * and can be run again.
 */
export function createRebuildShard(
  clients: ShardClients,
  spec: ShardSpec,
  onApplied: (partition: string, next: bigint) => void,
  onFailure: (error: Error) => void,
): RebuildShard {
  let targets: ReadonlyMap<string, bigint> = new Map(spec.targets);
  const projector = createBulkProjector({ pool: clients.pool, schema: spec.targetSchema });
  const folded = new Set<string>();
  const consumer = createProjectionConsumer({
    kafka: clients.kafka,
    codec: clients.codec,
    projector,
    groupId: spec.groupId,
    topics: spec.topics,
    logger: clients.logger,
    metrics: createMetricsRegistry({}, false),
    deadLetter: false,
    stopAt: () => targets,
    // Larger fetches: fewer, fuller batches for the in-memory fold.
    maxBytesPerPartition: 16 * 1024 * 1024,
    ...(spec.shards > 1
      ? {
          coPartitioned: { members: spec.shards },
          // Each joining shard makes the others rejoin, which they notice at a heartbeat; a member
          // still without partitions heartbeats only between its idle fetch waits.
          heartbeatIntervalMs: 250,
          maxWaitTimeMs: 250,
          onAssignment: (assignment: Readonly<Record<string, readonly number[]>>) => {
            const owned = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => `${topic}:${partition}`)));
            const lost = [...folded].filter((partition) => !owned.has(partition));
            if (lost.length > 0) {
              onFailure(new TransientError('REBUILD_REBALANCED', `a shard lost ${lost.join(', ')} after folding part of it (a rebuild member left the group); run the rebuild again`));
            }
          },
        }
      : {}),
    onApplied: (_result, batch) => {
      const partition = `${batch.topic}:${batch.partition}`;
      folded.add(partition);
      onApplied(partition, BigInt(batch.lastOffset) + 1n);
    },
  });
  return {
    start: () => consumer.start(),
    setTargets(next) {
      targets = new Map(next);
      consumer.resumePaused();
    },
    async finish() {
      try {
        await projector.finish({ indexes: false });
      } catch (error) {
        // Two shards wrote the same conversation or approval: the log is not keyed by conversation with equal partition counts.
        if ((error as { code?: unknown } | null)?.code === '23505') {
          throw new InvalidInputError('REBUILD_NOT_COPARTITIONED', `two shards folded events of the same conversation (${errorMessage(error)}): the topics are not keyed by conversation with one partition count; rebuild with one shard`);
        }
        throw error;
      }
    },
    stop: () => consumer.stop(),
  };
}

/** Where a worker-thread shard connects (it builds its own clients). */
export interface ShardConnection {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly databaseUrl: string;
  /** The master keys, so a worker shard opens personal fields as the main thread does. */
  readonly privacy?: PrivacyEnv;
  /** SUPPORTSTREAM_NAMESPACE, so a worker shard reads the namespace's topics and subjects. */
  readonly namespace?: string | undefined;
}

/** A worker shard's start data (structured-cloned: offsets as decimal strings). */
export interface ShardWorkerData {
  readonly shardIndex: number;
  readonly connection: ShardConnection;
  readonly topics: readonly string[];
  readonly targetSchema: string;
  readonly groupId: string;
  readonly shards: number;
  readonly targets: readonly (readonly [string, string])[];
  readonly logLevel: NonNullable<LoggerOptions['level']>;
}

/** From the rebuild to a worker shard. */
export type ShardMessage = { readonly type: 'targets'; readonly targets: readonly (readonly [string, string])[] } | { readonly type: 'finish' } | { readonly type: 'stop' };

/** From a worker shard to the rebuild. */
export type WorkerReply =
  | { readonly type: 'applied'; readonly positions: readonly (readonly [string, string])[] }
  | { readonly type: 'finished' }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string; readonly code: string; readonly retriable: boolean };
