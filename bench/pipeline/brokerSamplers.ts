/**
 * Redis commands (INFO commandstats) and Kafka records (watermarks and the services' committed
 * offsets) between two samples; the arithmetic is in costArithmetic.ts.
 */
import { TOPIC_NAMES } from '@supportstream/events';
import { createOffsetsReader, defaultDeadLetterTopic, type Kafka, type OffsetsSnapshot } from '@supportstream/kafka';
import { Redis } from 'ioredis';
import { counterDeltas, groupBy, offsetAdvance, parseCommandStats, redisCommandDelta, sum } from './costArithmetic.js';
import { sleep } from './shared.js';

// --- Redis -------------------------------------------------------------------------------------

export interface RedisSample {
  readonly calls: Readonly<Record<string, number>>;
  readonly readIndex: number;
}

export interface RedisSampler {
  read(): Promise<RedisSample>;
  between(before: RedisSample, after: RedisSample): { readonly total: number; readonly byCommand: Record<string, number> };
  close(): Promise<void>;
}

export function createRedisSampler(redisUrl: string): RedisSampler {
  // No ready check: it would send an INFO of its own that the count does not know about.
  const redis = new Redis(redisUrl, { enableReadyCheck: false, lazyConnect: true, maxRetriesPerRequest: 2 });
  let reads = 0;
  return {
    async read() {
      if (redis.status === 'wait') await redis.connect();
      const calls = parseCommandStats(await redis.info('commandstats'));
      return { calls, readIndex: reads++ };
    },
    between: (before, after) => redisCommandDelta(before.calls, after.calls, after.readIndex - before.readIndex),
    async close() {
      await redis.quit();
    },
  };
}

// --- Kafka -------------------------------------------------------------------------------------

/** Every platform topic and its dead-letter topic. */
export const PLATFORM_TOPICS: readonly string[] = TOPIC_NAMES.flatMap((topic) => [topic, defaultDeadLetterTopic(topic)]);

export interface KafkaSample {
  readonly high: Readonly<Record<string, number>>;
  readonly committed: Readonly<Record<string, number>>;
  readonly failedGroups: OffsetsSnapshot['failedGroups'];
}

export interface KafkaCost {
  readonly recordsProduced: number;
  readonly recordsConsumed: number;
  readonly producedByTopic: Record<string, number>;
  readonly consumedByGroup: Record<string, number>;
}

export interface KafkaSampler {
  read(): Promise<KafkaSample>;
  /** Reads until two readings a second apart agree (offsets are committed about once a second), bounded. */
  settled(maxMs: number): Promise<KafkaSample>;
  /** Reads until every group has committed up to the end of every partition it reads (nothing left to handle), bounded. */
  caughtUp(maxMs: number): Promise<{ readonly caughtUp: boolean; readonly waitedMs: number; readonly lag: number }>;
  between(before: KafkaSample, after: KafkaSample): KafkaCost;
  close(): Promise<void>;
}

/** Records the groups have not committed yet, over the partitions they have committed on. */
export function lagOf(sample: KafkaSample): number {
  return sum(Object.entries(sample.committed).map(([key, committed]) => Math.max(0, (sample.high[key.slice(key.indexOf(' ') + 1)] ?? committed) - committed)));
}

export function createKafkaSampler(kafka: Kafka, groups: readonly string[]): KafkaSampler {
  const reader = createOffsetsReader(kafka);
  const wanted = new Set(groups);
  const read = async (): Promise<KafkaSample> => {
    const snapshot = await reader.read({ topics: PLATFORM_TOPICS, groups: (group) => wanted.has(group) });
    return {
      high: Object.fromEntries(snapshot.partitions.map((entry) => [`${entry.topic}/${entry.partition}`, entry.high])),
      committed: Object.fromEntries(snapshot.committed.map((entry) => [`${entry.group} ${entry.topic}/${entry.partition}`, entry.committed])),
      failedGroups: snapshot.failedGroups,
    };
  };
  return {
    read,
    async settled(maxMs) {
      const started = performance.now();
      let previous = await read();
      while (performance.now() - started < maxMs) {
        await sleep(1_500);
        const next = await read();
        if (Object.keys(counterDeltas(previous.committed, next.committed)).length === 0) return next;
        previous = next;
      }
      return previous;
    },
    async caughtUp(maxMs) {
      const started = performance.now();
      let lag = lagOf(await read());
      while (lag > 0 && performance.now() - started < maxMs) {
        await sleep(500);
        lag = lagOf(await read());
      }
      return { caughtUp: lag === 0, waitedMs: Math.round(performance.now() - started), lag };
    },
    between(before, after) {
      const produced = offsetAdvance(before.high, after.high);
      // A partition a group had never committed on counts from where the log ended before.
      const committedBefore = Object.fromEntries(
        Object.keys(after.committed).map((key) => [key, before.committed[key] ?? before.high[key.slice(key.indexOf(' ') + 1)] ?? 0]),
      );
      const consumed = offsetAdvance(committedBefore, after.committed);
      return {
        recordsProduced: produced.total,
        recordsConsumed: consumed.total,
        producedByTopic: groupBy(produced.byKey, (key) => key.slice(0, key.lastIndexOf('/'))),
        consumedByGroup: groupBy(consumed.byKey, (key) => key.slice(0, key.indexOf(' '))),
      };
    },
    close: () => reader.close(),
  };
}
