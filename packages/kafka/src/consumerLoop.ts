import { errorCode, errorMessage } from '@supportstream/errors';
import type { Logger, Registry } from '@supportstream/observability';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './client.js';
import { coPartitionedAssigner, type CoPartitionedOptions } from './coPartitionedAssigner.js';
import { createDeadLetterProducer, defaultDeadLetterTopic, type DeadLetterProducer } from './deadLetter.js';
import { consumerMetrics, type ConsumerMetrics } from './metrics.js';

/** Settings both modes share. */
export interface LoopOptions {
  readonly kafka: KafkaClient;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Where undecodable (or, for reactors, failed) messages go; omit to count them only. */
  readonly deadLetterTopic?: ((topic: string) => string) | false;
  readonly fromBeginning?: boolean;
  /** Partitions handled in parallel (kafkajs workers). */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxBytesPerPartition?: number;
  /**
   * How long stop() waits for kafkajs to finish the batches in hand and leave the group (default
   * 15 s, inside the process's 25 s shutdown grace). kafkajs's disconnect can wait on a group join
   * that is in progress; past this bound stop() gives up waiting, and the group reassigns the
   * partitions after the session timeout. Nothing is lost: what was not committed is redelivered,
   * and the handlers are idempotent.
   */
  readonly drainTimeoutMs?: number;
  /** Partition p of every topic to one member, once this many members joined (a sharded rebuild); default: kafkajs's round robin. */
  readonly coPartitioned?: CoPartitionedOptions;
  /**
   * How long a fetch waits for data (kafkajs default 5 s). A member with no partitions also sleeps
   * this long between heartbeats, so members joining one by one wait for it at each rebalance.
   */
  readonly maxWaitTimeMs?: number;
  /** Called with this member's partitions (`topic` → partitions) each time it joins the group. */
  readonly onAssignment?: (assignment: Readonly<Record<string, readonly number[]>>) => void;
}

/** One partition's batch as the loop hands it to a mode. */
export interface LoopBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  readonly highWatermark: string;
  /** False once the consumer stops, the batch went stale (a seek) or a rebalance was seen: stop taking messages. */
  isActive(): boolean;
  /** Marks everything up to `offset` handled (committed by kafkajs at its commit points), when the partition is still ours. */
  resolve(offset: string): void;
  /** Commits the resolved offsets if the commit interval passed. */
  commitIfDue(): Promise<void>;
  /** Stops fetching this partition; the returned function resumes it. */
  pause(): () => void;
}

export interface ConsumerLoop {
  readonly group: string;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  /** Aborted when stop() begins. */
  readonly stopping: AbortSignal;
  deadLetter(letter: { topic: string; partition: number; message: KafkaMessage; error: unknown; attempts: number; fields?: Record<string, unknown> }): Promise<boolean>;
  start(processBatch: (batch: LoopBatch) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

const REBALANCING = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);
const isRebalancing = (error: unknown) => REBALANCING.has(String((error as { type?: unknown } | null)?.type));

/**
 * The part of a consumer both modes share: group membership, one heartbeat timer per batch (not
 * one per message), one batch at a time per partition, commits only for partitions this member
 * still owns, the lag gauge, dead-lettering and stop.
 *
 * Commits: kafkajs commits the offsets resolved through `LoopBatch.resolve` at its own commit
 * points (the end of each batch, the commit interval, a rebalance seen by a heartbeat, leaving the
 * group). The modes resolve only a contiguous handled prefix, so whatever kafkajs commits never
 * passes a message that is not handled. A batch that saw a rebalance resolves only if its
 * partition was owned without a break since the batch began: a partition that moved is never
 * committed by its former owner.
 */
export function createConsumerLoop(options: LoopOptions): ConsumerLoop {
  const group = options.groupId;
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 3_000;
  const metrics = consumerMetrics(options.metrics);
  const logger = options.logger.child({ component: 'consumer', group });
  const dlqTopicOf = options.deadLetterTopic === false ? undefined : (options.deadLetterTopic ?? defaultDeadLetterTopic);
  const consumer: Consumer = kafkajsOf(options.kafka).consumer({
    groupId: group,
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: Math.max(60_000, sessionTimeout),
    allowAutoTopicCreation: false,
    ...(options.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: options.maxBytesPerPartition }),
    ...(options.coPartitioned === undefined ? {} : { partitionAssigners: [coPartitionedAssigner(options.coPartitioned)] }),
    ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeInMs: options.maxWaitTimeMs }),
  });
  const dlqProducer: DeadLetterProducer | undefined = dlqTopicOf ? createDeadLetterProducer(options.kafka) : undefined;
  const stopping = new AbortController();
  let started = false;

  // Ownership by generation: `ownedSince` is the generation from which a partition has been ours without a break.
  let generation = 0;
  let ownedSince = new Map<string, number>();
  const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    generation += 1;
    const next = new Map<string, number>();
    for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) {
      for (const partition of partitions) {
        const key = partitionKey(topic, partition);
        next.set(key, ownedSince.get(key) ?? generation);
      }
    }
    ownedSince = next;
    options.onAssignment?.(event.payload.memberAssignment);
    metrics.rebalances.inc({ group });
    logger.info({ memberId: event.payload.memberId, generation, assignment: event.payload.memberAssignment }, 'joined group');
  });

  // One batch at a time per partition, also across a rebalance (kafkajs may start the next
  // generation's batch of a partition while the previous one is still draining on another worker).
  const partitionBusy = new Map<string, Promise<void>>();
  // The last offset this member resolved per partition, and from which generation it owned it: a
  // batch fetched before that resolution landed (a rebalance kept the partition here) skips what
  // this member already handled instead of running it twice.
  const handledUpTo = new Map<string, { offset: bigint; since: number }>();
  const alreadyHandled = (key: string): bigint | undefined => {
    const entry = handledUpTo.get(key);
    return entry !== undefined && entry.since === ownedSince.get(key) ? entry.offset : undefined;
  };

  async function runBatch(payload: EachBatchPayload, processBatch: (batch: LoopBatch) => Promise<void>): Promise<void> {
    const { topic, partition, highWatermark } = payload.batch;
    const key = partitionKey(topic, partition);
    const startedIn = generation;
    let rebalance: Error | undefined;
    const owned = () => (ownedSince.get(key) ?? Number.POSITIVE_INFINITY) <= startedIn;
    const resolve = (offset: string) => {
      if (!owned()) return;
      payload.resolveOffset(offset);
      handledUpTo.set(key, { offset: BigInt(offset), since: ownedSince.get(key) ?? startedIn });
      metrics.lag.set({ group, topic, partition: String(partition) }, Math.max(0, Number(highWatermark) - Number(offset) - 1));
    };
    const commitIfDue = async () => {
      if (!owned() || rebalance !== undefined || generation !== startedIn) return;
      await payload.commitOffsetsIfNecessary().catch((error: unknown) => logger.debug({ err: error, topic, partition }, 'commit failed; kafkajs retries at its next commit point'));
    };
    const floor = alreadyHandled(key);
    const messages = floor === undefined ? payload.batch.messages : payload.batch.messages.filter((message) => BigInt(message.offset) > floor);
    if (messages.length < payload.batch.messages.length && floor !== undefined) resolve(floor.toString());
    // The batch's heartbeat (and the commit interval) on a timer, whatever runs: not once per message.
    const beat = setInterval(() => {
      payload
        .heartbeat()
        .then(commitIfDue)
        .catch((error: unknown) => {
          if (isRebalancing(error) && error instanceof Error) rebalance ??= error;
          logger.debug({ err: error, topic, partition }, 'heartbeat during the batch failed');
        });
    }, heartbeatInterval);
    const batch: LoopBatch = {
      topic,
      partition,
      messages,
      highWatermark,
      isActive: () => rebalance === undefined && generation === startedIn && payload.isRunning() && !payload.isStale() && !stopping.signal.aborted,
      resolve,
      commitIfDue,
      pause: () => payload.pause(),
    };
    try {
      await processBatch(batch);
    } finally {
      clearInterval(beat);
    }
    if (rebalance !== undefined && owned()) {
      // Commit what is done before the group settles, so the partition's next owner (this member
      // again, most often) starts right after it instead of redoing it.
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets()).catch((error: unknown) => logger.debug({ err: error, topic, partition }, 'commit during the rebalance failed'));
    }
    // Rejoin at once (kafkajs does on this error), unless another partition's batch already did.
    if (rebalance !== undefined && generation === startedIn) throw rebalance;
  }

  return {
    group,
    logger,
    metrics,
    stopping: stopping.signal,
    async deadLetter({ topic, partition, message, error, attempts, fields }) {
      if (!dlqProducer || !dlqTopicOf) return false;
      const dlqTopic = dlqTopicOf(topic);
      await dlqProducer.send(dlqTopic, { topic, partition, message, group, error, attempts, failedAt: new Date() });
      metrics.deadLettered.inc({ group, topic, reason: errorCode(error) });
      logger.warn({ topic, partition, offset: message.offset, ...fields, dlqTopic, code: errorCode(error), reason: errorMessage(error) }, 'message dead-lettered');
      return true;
    },
    async start(processBatch) {
      if (started) return;
      started = true;
      await dlqProducer?.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          const key = partitionKey(payload.batch.topic, payload.batch.partition);
          const previous = partitionBusy.get(key);
          if (previous) await previous.catch(() => undefined);
          const current = runBatch(payload, processBatch);
          partitionBusy.set(key, current);
          try {
            await current;
          } finally {
            if (partitionBusy.get(key) === current) partitionBusy.delete(key);
          }
        },
      });
      logger.info({ topics: options.topics }, 'consumer started');
    },
    async stop() {
      if (!started) return;
      stopping.abort();
      // disconnect() waits for the batches in hand and commits the offsets resolved so far.
      const drainTimeoutMs = options.drainTimeoutMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timed-out'>((resolve) => {
        timer = setTimeout(() => resolve('timed-out'), drainTimeoutMs);
      });
      const outcome = await Promise.race([consumer.disconnect().then(() => 'disconnected' as const), timedOut]).finally(() => clearTimeout(timer));
      if (outcome === 'timed-out') logger.error({ drainTimeoutMs }, 'consumer did not leave the group in time; its uncommitted messages will be redelivered to the next owner');
      await dlqProducer?.disconnect();
      started = false;
      logger.info('consumer stopped');
    },
  };
}
