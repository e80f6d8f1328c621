import { defaultDeadLetterTopic, platformGroupFilter, type OffsetsReader, type OffsetsSnapshot } from '@supportstream/kafka';
import type { Logger, Registry } from '@supportstream/observability';
import { Gauge } from 'prom-client';

export interface KafkaGaugeValues {
  readonly highWatermarks: readonly { readonly topic: string; readonly partition: number; readonly value: number }[];
  readonly lags: readonly { readonly group: string; readonly topic: string; readonly partition: number; readonly value: number }[];
  readonly deadLetters: readonly { readonly topic: string; readonly value: number }[];
}

const isDeadLetterTopic = (topic: string): boolean => topic.endsWith('.dlq');

/**
 * The gauges of one admin snapshot (pure): the high watermark of every partition, each group's
 * lag (high watermark minus its committed offset) and the messages kept in each dead-letter topic
 * (high minus low watermark, summed over its partitions).
 */
export function kafkaGaugeValues(snapshot: OffsetsSnapshot): KafkaGaugeValues {
  const high = new Map(snapshot.partitions.map((entry) => [`${entry.topic}\u0000${entry.partition}`, entry.high]));
  const lags = snapshot.committed.flatMap((entry) => {
    const end = high.get(`${entry.topic}\u0000${entry.partition}`);
    return end === undefined ? [] : [{ group: entry.group, topic: entry.topic, partition: entry.partition, value: Math.max(0, end - entry.committed) }];
  });
  const deadLetters = new Map<string, number>();
  for (const entry of snapshot.partitions) {
    if (isDeadLetterTopic(entry.topic)) deadLetters.set(entry.topic, (deadLetters.get(entry.topic) ?? 0) + Math.max(0, entry.high - entry.low));
  }
  return {
    highWatermarks: snapshot.partitions.map((entry) => ({ topic: entry.topic, partition: entry.partition, value: entry.high })),
    lags,
    deadLetters: [...deadLetters].map(([topic, value]) => ({ topic, value })),
  };
}

/** The platform's topics and their dead-letter topics. */
export function watchedTopics(topics: readonly string[]): string[] {
  return topics.flatMap((topic) => [topic, defaultDeadLetterTopic(topic)]);
}

/** The platform's long-lived groups (`supportstream-*`), without throwaway ones such as a rebuild's: packages/kafka's rule, shared with the gateway's Overview. */
export const platformGroups = platformGroupFilter;

export interface KafkaExporterOptions {
  readonly reader: OffsetsReader;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Topics to watch (their `.dlq` included, see watchedTopics). */
  readonly topics: readonly string[];
  readonly groups: (group: string) => boolean;
  readonly maxGroups?: number;
  readonly pollMs: number;
  /** A poll that takes longer is abandoned (the gauges keep their values); default: the poll interval. */
  readonly timeoutMs?: number;
}

export interface KafkaExporter {
  /** One poll; false when it failed or timed out (the gauges then keep the last values). */
  poll(): Promise<boolean>;
  start(): void;
  stop(): void;
}

/**
 * Polls the admin API on a timer, one poll at a time and each bounded in time, and exposes
 * kafka_consumergroup_lag, kafka_topic_high_watermark and kafka_dlq_messages. Series of groups,
 * topics and partitions that disappeared are dropped at the next successful poll.
 */
export function createKafkaExporter(options: KafkaExporterOptions): KafkaExporter {
  const logger = options.logger.child({ component: 'kafka-exporter' });
  const lag = new Gauge({ name: 'kafka_consumergroup_lag', help: 'Messages a consumer group has not committed yet (high watermark minus committed offset), from the admin API', labelNames: ['group', 'topic', 'partition'], registers: [options.registry] });
  const highWatermark = new Gauge({ name: 'kafka_topic_high_watermark', help: 'Offset of the next message written to the partition', labelNames: ['topic', 'partition'], registers: [options.registry] });
  const deadLetters = new Gauge({ name: 'kafka_dlq_messages', help: 'Messages kept in a dead-letter topic (high minus low watermark, over its partitions)', labelNames: ['topic'], registers: [options.registry] });
  const timeoutMs = options.timeoutMs ?? options.pollMs;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  // A read abandoned at its timeout may still be running; no second one starts until it ends.
  let reading: Promise<unknown> | undefined;
  let failing = false;

  async function read(): Promise<OffsetsSnapshot> {
    if (reading) throw new Error('the previous read of the offsets has not finished yet');
    const current = options.reader.read({ topics: options.topics, groups: options.groups, ...(options.maxGroups ? { maxGroups: options.maxGroups } : {}) });
    reading = current.then(
      () => (reading = undefined),
      () => (reading = undefined),
    );
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`reading offsets took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([current, expired]);
    } finally {
      clearTimeout(timeout);
    }
  }

  async function poll(): Promise<boolean> {
    try {
      const snapshot = await read();
      const values = kafkaGaugeValues(snapshot);
      highWatermark.reset();
      for (const entry of values.highWatermarks) highWatermark.set({ topic: entry.topic, partition: String(entry.partition) }, entry.value);
      lag.reset();
      for (const entry of values.lags) lag.set({ group: entry.group, topic: entry.topic, partition: String(entry.partition) }, entry.value);
      deadLetters.reset();
      for (const entry of values.deadLetters) deadLetters.set({ topic: entry.topic }, entry.value);
      if (snapshot.failedGroups.length > 0) logger.warn({ failedGroups: snapshot.failedGroups }, 'offsets of some consumer groups could not be read');
      if (failing) logger.info('reading Kafka offsets works again');
      failing = false;
      return true;
    } catch (error) {
      // Once per outage, not on every poll.
      if (!failing) logger.warn({ err: error }, 'reading Kafka offsets failed; the gauges keep their last values');
      failing = true;
      return false;
    }
  }

  return {
    poll,
    start() {
      const tick = () => {
        if (running) return;
        running = poll().finally(() => {
          running = undefined;
        });
      };
      tick();
      timer = setInterval(tick, options.pollMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
