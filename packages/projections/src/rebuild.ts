import { InvalidInputError, TransientError } from '@supportstream/errors';
import type { EventCodec } from '@supportstream/events';
import { withTransaction, type Pool } from '@supportstream/db';
import type { Logger } from '@supportstream/observability';
import { topicOffsets, type KafkaClient } from '@supportstream/kafka';
import { compareChecksums, readModelChecksums, type ChecksumComparison, type ReadModelChecksums } from './checksum.js';
import { storedOffsets } from './projector.js';
import { createRebuildShard, type RebuildShard, type ShardConnection, type ShardWorkerData } from './rebuildShard.js';
import { createWorkerShard } from './rebuildWorkers.js';
import { createDeferredIndexes, dropReadModel, ensureReadModel } from './schema.js';

export interface RebuildProgress {
  readonly phase: 'replay' | 'catch-up';
  readonly messages: number;
  readonly remaining: number;
  readonly eventsPerSecond: number;
  readonly elapsedSeconds: number;
}

export interface RebuildOptions {
  readonly kafka: KafkaClient;
  readonly codec: EventCodec;
  readonly pool: Pool;
  readonly logger: Logger;
  readonly topics: readonly string[];
  /** A fresh schema to rebuild into; refused if it exists unless `replace`. */
  readonly targetSchema: string;
  readonly replace?: boolean;
  /** Compare with this live schema at the same offsets (omit to only rebuild). */
  readonly liveSchema?: string;
  /** How long to wait for the live projection to reach the log end seen at the start (default 60 s). */
  readonly catchUpTimeoutMs?: number;
  /** Fails when no message is projected for this long while some remain (default 60 s). */
  readonly stallTimeoutMs?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly progressIntervalMs?: number;
  /**
   * Consumers folding disjoint partition numbers at once (default 1): the main thread's and
   * `shards - 1` worker threads', which connect with `connection`. Each holds partition p of every
   * topic, so it needs nothing from the others: the topics must be keyed by conversation with one
   * partition count, as the platform's are (a conversation found in two shards fails the rebuild).
   */
  readonly shards?: number;
  readonly connection?: ShardConnection;
  /** The worker shards' log level (default warn). */
  readonly workerLogLevel?: ShardWorkerData['logLevel'];
}

export interface RebuildReport {
  readonly targetSchema: string;
  readonly messages: number;
  /** All of it: replay, catch-up to the live offsets, checksums. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** The replay to the log end seen at the start, alone: the rebuild speed. */
  readonly replay: { readonly messages: number; readonly seconds: number; readonly eventsPerSecond: number };
  readonly checksums: ReadModelChecksums;
  /** Per shard (the main thread's first): the partitions it folded and the messages they held. */
  readonly shards: readonly { readonly partitions: number; readonly messages: number }[];
  /** Present when compared with the live read model. */
  readonly comparison?: ChecksumComparison & { readonly atOffsets: Record<string, string> };
}

const key = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * Rebuilds the read model from offset 0 into a fresh schema, then proves it equal to the live one:
 * it replays to the log end seen at the start, waits until the live projection is at least there,
 * reads the live offsets and checksums in one snapshot, replays exactly up to those offsets, and
 * compares the checksums table by table.
 */
export async function rebuildReadModel(options: RebuildOptions): Promise<RebuildReport> {
  const logger = options.logger.child({ component: 'rebuild', schema: options.targetSchema });
  const exists = await options.pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [options.targetSchema]);
  if ((exists.rowCount ?? 0) > 0) {
    if (!options.replace) throw new InvalidInputError('REBUILD_TARGET_EXISTS', `schema ${options.targetSchema} exists; choose another target or pass replace`);
    await dropReadModel(options.pool, options.targetSchema);
  }
  // The timeline's primary key and index are built once, after the load (the bulk projector's finish).
  await ensureReadModel(options.pool, options.targetSchema, { deferIndexes: true });

  const targets = new Map<string, bigint>();
  const positions = new Map<string, bigint>();
  for (const { topic, partition, high, low } of await topicOffsets(options.kafka, options.topics)) {
    targets.set(key(topic, partition), high);
    positions.set(key(topic, partition), low);
  }
  const startPositions = new Map(positions);
  const remaining = () => [...targets].reduce((sum, [partition, target]) => sum + (target > (positions.get(partition) ?? 0n) ? target - (positions.get(partition) ?? 0n) : 0n), 0n);
  const done = () => remaining() === 0n;

  // Nobody reads the target before the rebuild ends, and a crashed rebuild starts over: fold in memory, write once.
  const shardCount = Math.max(1, Math.floor(options.shards ?? 1));
  if (shardCount > 1 && options.connection === undefined) throw new InvalidInputError('REBUILD_SHARDS_NEED_CONNECTION', 'a rebuild with several shards needs the connection settings its worker threads use');
  let messages = 0;
  let lastProgressAt = Date.now();
  let wake: () => void = () => undefined;
  let failure: Error | undefined;
  const perShard = Array.from({ length: shardCount }, () => ({ partitions: new Set<string>(), messages: 0 }));
  const onAppliedBy = (shard: number) => (partition: string, next: bigint) => {
    const count = Number(next - (positions.get(partition) ?? 0n));
    messages += count;
    const figures = perShard[shard];
    if (figures) {
      figures.messages += count;
      figures.partitions.add(partition);
    }
    positions.set(partition, next);
    lastProgressAt = Date.now();
    wake();
  };
  const onFailure = (error: Error) => {
    failure ??= error;
    wake();
  };
  const spec = { topics: options.topics, targetSchema: options.targetSchema, groupId: `supportstream-rebuild-${options.targetSchema}-${Date.now().toString(36)}`, shards: shardCount, targets };
  const shards: RebuildShard[] = [createRebuildShard({ kafka: options.kafka, codec: options.codec, pool: options.pool, logger }, spec, onAppliedBy(0), onFailure)];
  for (let index = 1; index < shardCount && options.connection !== undefined; index += 1) {
    shards.push(createWorkerShard({ spec, connection: options.connection, shardIndex: index, logLevel: options.workerLogLevel ?? 'warn', onApplied: onAppliedBy(index), onFailure }));
  }

  const started = performance.now();
  let phase: RebuildProgress['phase'] = 'replay';
  const report = () => {
    const elapsedSeconds = (performance.now() - started) / 1000;
    options.onProgress?.({ phase, messages, remaining: Number(remaining()), eventsPerSecond: elapsedSeconds > 0 ? messages / elapsedSeconds : 0, elapsedSeconds });
  };
  const ticker = setInterval(report, options.progressIntervalMs ?? 1_000);
  const waitUntilDone = async () => {
    const stall = options.stallTimeoutMs ?? 60_000;
    while (!done()) {
      if (failure !== undefined) throw failure;
      if (Date.now() - lastProgressAt > stall) throw new TransientError('REBUILD_STALLED', `no progress for ${stall} ms with ${remaining()} message(s) left`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 500);
      });
    }
  };

  try {
    await Promise.all(shards.map((shard) => shard.start()));
    await waitUntilDone();
    const replaySeconds = (performance.now() - started) / 1000;
    const replay = { messages, seconds: replaySeconds, eventsPerSecond: replaySeconds > 0 ? messages / replaySeconds : 0 };
    let comparison: RebuildReport['comparison'];
    let live: ReadModelChecksums | undefined;
    let liveOffsets = new Map<string, bigint>();
    if (options.liveSchema !== undefined) {
      const liveSchema = options.liveSchema;
      phase = 'catch-up';
      const deadline = Date.now() + (options.catchUpTimeoutMs ?? 60_000);
      const behind = (offsets: Map<string, bigint>) => [...targets].filter(([partition, target]) => target > (startPositions.get(partition) ?? 0n) && (offsets.get(partition) ?? 0n) < target);
      for (;;) {
        const lagging = behind(await storedOffsets(options.pool, liveSchema));
        if (lagging.length === 0) break;
        if (Date.now() > deadline) {
          throw new TransientError('LIVE_PROJECTION_BEHIND', `the live projection (${liveSchema}) has not reached the log end seen at the start on ${lagging.map(([partition]) => partition).join(', ')}; is the projections service running?`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      // One snapshot: the live offsets and the live rows they produced.
      ({ live, liveOffsets } = await withTransaction(
        options.pool,
        async (client) => ({ liveOffsets: await storedOffsets(client, liveSchema), live: await readModelChecksums(client, liveSchema) }),
        { isolationLevel: 'repeatable read', readOnly: true },
      ));
      for (const [partition, offset] of liveOffsets) if (targets.has(partition)) targets.set(partition, offset);
      for (const shard of shards) shard.setTargets(targets);
      lastProgressAt = Date.now();
      await waitUntilDone();
    }
    await Promise.all(shards.map((shard) => shard.finish()));
    await withTransaction(options.pool, (client) => createDeferredIndexes(client, options.targetSchema));
    const checksums = await readModelChecksums(options.pool, options.targetSchema);
    if (live) {
      comparison = { ...compareChecksums(live, checksums), atOffsets: Object.fromEntries([...liveOffsets].map(([partition, offset]) => [partition, offset.toString()])) };
    }
    const seconds = (performance.now() - started) / 1000;
    report();
    logger.info({ messages, seconds, equal: comparison?.equal, shards: shardCount }, 'rebuild finished');
    const shardFigures = perShard.map((figures) => ({ partitions: figures.partitions.size, messages: figures.messages }));
    return { targetSchema: options.targetSchema, messages, seconds, eventsPerSecond: messages / seconds, replay, checksums, shards: shardFigures, ...(comparison ? { comparison } : {}) };
  } finally {
    clearInterval(ticker);
    await Promise.all(shards.map((shard) => shard.stop()));
  }
}
