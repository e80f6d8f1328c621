import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, errorMessage } from '@supportstream/errors';
import type { ComponentState, DependencyMonitor, Logger, Registry } from '@supportstream/observability';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { kafkajsOf, namesOf, type KafkaClient } from './client.js';
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
  /**
   * The service's dependency monitor: the consumer adds `consumer:<group>` to its /ready report
   * (up while a member of the group), and the reactor mode holds messages through outages.
   */
  readonly dependencies?: DependencyMonitor;
  /** Waits before restarting a consumer that crashed and that kafkajs does not restart (default 1 s doubling to 30 s, with jitter). */
  readonly restartDelay?: { readonly minMs: number; readonly maxMs: number };
  /**
   * A dead-letter write still waiting after this long (default 30 s), and each time again, is logged
   * at ERROR and counted (supportstream_dead_letter_write_stalls_total): the partition holds at that
   * offset until the DLQ takes the record (a missing DLQ topic makes kafkajs wait indefinitely).
   */
  readonly deadLetterStallWarnMs?: number;
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
  /** The monitor of the service's dependencies, when it has one. */
  readonly dependencies?: DependencyMonitor;
  deadLetter(letter: { topic: string; partition: number; message: KafkaMessage; error: unknown; attempts: number; fields?: Record<string, unknown> }): Promise<boolean>;
  /**
   * Runs `attempt` (itself a bounded retry) again each time it fails while a dependency is down:
   * a failure during an outage says nothing about the message, so it must not be dead-lettered.
   * The message stays uncommitted while it waits. Throws StopConsumerError, still unacknowledged,
   * when the consumer stops or the partition moves away meanwhile; without a dependency monitor it
   * runs `attempt` once.
   */
  throughOutages<T>(batch: LoopBatch, at: { readonly topic: string; readonly offset?: string; readonly fields?: Record<string, unknown> }, attempt: () => Promise<T>): Promise<T>;
  start(processBatch: (batch: LoopBatch) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Ends the handling of a message without acknowledging it: the consumer stops, or the partition moved while it waited. */
export class StopConsumerError extends Error {
  override readonly name = 'StopConsumerError';
}

const REBALANCING = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);
const isRebalancing = (error: unknown) => REBALANCING.has(String((error as { type?: unknown } | null)?.type));

const DEFAULT_RESTART_DELAY = { minMs: 1_000, maxMs: 30_000 };
/** A consumer that stayed a group member this long before crashing starts its backoff from the beginning again. */
const STABLE_MS = 60_000;

/** Exponential backoff with jitter: `minMs · 2^(n-1)`, capped at `maxMs`, times a random factor in [0.5, 1). */
export function restartDelayMs(consecutiveCrashes: number, delay: { readonly minMs: number; readonly maxMs: number }, random: () => number = Math.random): number {
  const base = Math.min(delay.maxMs, delay.minMs * 2 ** Math.max(0, consecutiveCrashes - 1));
  return Math.round(base * (0.5 + random() / 2));
}

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
  // Topics and the group are logical here and in everything this loop hands out; the broker sees the namespace's names.
  const names = namesOf(options.kafka);
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 3_000;
  const metrics = consumerMetrics(options.metrics);
  const logger = options.logger.child({ component: 'consumer', group });
  const dlqTopicOf = options.deadLetterTopic === false ? undefined : (options.deadLetterTopic ?? defaultDeadLetterTopic);
  const consumer: Consumer = kafkajsOf(options.kafka).consumer({
    groupId: names.group(group),
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
  // Group membership as /ready shows it, and what a restart after a crash needs.
  const membership: ComponentState | undefined = options.dependencies?.component(`consumer:${group}`, 'not started');
  const restartDelay = options.restartDelay ?? DEFAULT_RESTART_DELAY;
  let joinedAt = 0;
  let consecutiveCrashes = 0;
  let runConfig: ConsumerRunConfig | undefined;
  let pendingCrash: Error | undefined;
  let restarting = false;

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
    options.onAssignment?.(Object.fromEntries(Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => [names.logicalTopic(topic), partitions])));
    metrics.rebalances.inc({ group });
    joinedAt = Date.now();
    membership?.up();
    metrics.running.set({ group }, 1);
    logger.info({ memberId: event.payload.memberId, generation, assignment: event.payload.memberAssignment }, 'joined group');
  });

  // A crash: kafkajs has already disconnected the consumer. It restarts it by itself after
  // retriable failures (restart: true) but not after the others, e.g. a coordinator it could not
  // find once the broker came back (tulios/kafkajs#1445, #1630) or an error thrown by the batch
  // handler: those would leave a live process that consumes nothing. The runtime restarts them.
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    metrics.running.set({ group }, 0);
    membership?.down(`crashed: ${error.name}: ${error.message}`);
    if (stopping.signal.aborted) return;
    consecutiveCrashes = joinedAt > 0 && Date.now() - joinedAt >= STABLE_MS ? 1 : consecutiveCrashes + 1;
    metrics.restarts.inc({ group, by: restart ? 'kafkajs' : 'runtime' });
    if (restart) {
      logger.warn({ err: error }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    pendingCrash = error;
    void restartAfterCrashes();
  });
  consumer.on(consumer.events.STOP, () => {
    metrics.running.set({ group }, 0);
  });

  /**
   * Restarts the consumer after each crash kafkajs gave up on, waiting longer after each one. A
   * restart whose group join fails comes back as another crash event (kafkajs reports it so), and
   * this loop, still running, takes it.
   */
  async function restartAfterCrashes(): Promise<void> {
    if (restarting || !runConfig) return;
    restarting = true;
    try {
      while (pendingCrash !== undefined && !stopping.signal.aborted) {
        const cause = pendingCrash;
        pendingCrash = undefined;
        const restartInMs = restartDelayMs(consecutiveCrashes, restartDelay);
        logger.error({ err: cause, consecutiveCrashes, restartInMs }, 'consumer crashed and kafkajs will not restart it; restarting it');
        await sleep(restartInMs, undefined, { signal: stopping.signal });
        try {
          await consumer.connect();
          await consumer.run(runConfig);
        } catch (error) {
          pendingCrash = error instanceof Error ? error : new Error(errorMessage(error));
          consecutiveCrashes += 1;
          metrics.restarts.inc({ group, by: 'runtime' });
        }
      }
    } catch {
      // The sleep was aborted: the consumer is stopping.
    } finally {
      restarting = false;
    }
  }

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
      topic: names.logicalTopic(topic),
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
    ...(options.dependencies ? { dependencies: options.dependencies } : {}),
    async deadLetter({ topic, partition, message, error, attempts, fields }) {
      if (!dlqProducer || !dlqTopicOf) return false;
      const dlqTopic = dlqTopicOf(topic);
      const stallWarnMs = options.deadLetterStallWarnMs ?? 30_000;
      const startedAt = Date.now();
      const stalled = setInterval(() => {
        metrics.deadLetterStalls.inc({ group, topic });
        logger.error(
          { topic, partition, offset: message.offset, ...fields, dlqTopic, waitedMs: Date.now() - startedAt },
          'dead-letter write not acknowledged yet: this partition holds at this offset until the DLQ topic takes it (does the topic exist? topics apply creates it)',
        );
      }, stallWarnMs);
      stalled.unref();
      try {
        await dlqProducer.send(dlqTopic, { topic, partition, message, group, error, attempts, failedAt: new Date() });
      } finally {
        clearInterval(stalled);
      }
      metrics.deadLettered.inc({ group, topic, reason: errorCode(error) });
      logger.warn({ topic, partition, offset: message.offset, ...fields, dlqTopic, code: errorCode(error), reason: errorMessage(error) }, 'message dead-lettered');
      return true;
    },
    async throughOutages(batch, at, attempt) {
      const { dependencies } = options;
      for (;;) {
        try {
          return await attempt();
        } catch (error) {
          if (!dependencies || stopping.signal.aborted || error instanceof StopConsumerError) throw error;
          // A fresh look (shared by the messages failing at the same moment), not the last timer round.
          await dependencies.check(250);
          const outage = dependencies.down();
          if (outage.length === 0) throw error;
          metrics.heldForOutage.inc({ group, topic: at.topic });
          logger.warn({ topic: at.topic, partition: batch.partition, offset: at.offset, ...at.fields, dependencies: outage, reason: errorMessage(error) }, 'failed while a dependency is down; waiting for it before retrying (not dead-lettered)');
          const back = await dependencies.waitUntilUp({ signal: stopping.signal, shouldStop: () => !batch.isActive() });
          if (!back) throw new StopConsumerError(`gave up waiting for ${outage.join(', ')}: ${stopping.signal.aborted ? 'stopping' : 'the partition moved'}`, { cause: error });
          logger.info({ topic: at.topic, partition: batch.partition, offset: at.offset, dependencies: outage }, 'dependencies are back; retrying');
        }
      }
    },
    async start(processBatch) {
      if (started) return;
      started = true;
      runConfig = {
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
      };
      try {
        await dlqProducer?.connect();
        await consumer.connect();
        await consumer.subscribe({ topics: options.topics.map((topic) => names.topic(topic)), fromBeginning: options.fromBeginning ?? true });
        await consumer.run(runConfig);
      } catch (error) {
        // A start during an outage: leave nothing half-connected, so the next start() begins afresh.
        started = false;
        membership?.down(`could not start: ${errorMessage(error)}`);
        await Promise.allSettled([consumer.disconnect(), dlqProducer?.disconnect()]);
        throw error;
      }
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
      metrics.running.set({ group }, 0);
      membership?.down('stopped');
      logger.info('consumer stopped');
    },
  };
}
