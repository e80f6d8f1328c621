import { defaultDeadLetterTopic, platformGroupFilter, type OffsetsReader, type OffsetsSnapshot } from '@supportstream/kafka';
import type { Logger } from '@supportstream/observability';

/**
 * The cluster-wide operational figures of the Overview: each consumer group's lag (end offset
 * minus committed offset, per partition, summed) and the records kept in each dead-letter topic.
 * They are not scoped to a tenant (a group's lag is everybody's), so only admins are shown them.
 * Read through the admin API at most once per `cacheMs` whatever the number of callers, each read
 * bounded by `timeoutMs`; when Kafka does not answer, the figures say so instead of failing.
 */

export interface TopicLag {
  readonly topic: string;
  readonly lag: number;
  /** Partitions the group committed on (a partition it never committed on has no lag to show). */
  readonly partitions: number;
}

export interface ConsumerGroupLag {
  readonly group: string;
  readonly lag: number;
  readonly topics: readonly TopicLag[];
}

export interface DeadLetterTopicSize {
  readonly topic: string;
  /** Records kept: high minus low watermark, summed over the partitions. */
  readonly records: number;
  readonly partitions: number;
}

export interface OperationsFigures {
  readonly status: 'ok' | 'unavailable';
  /** When the figures were read from Kafka; null when they could not be. */
  readonly readAt: string | null;
  /** Why the figures are missing; null when status is ok. */
  readonly message: string | null;
  /** Largest lag first, then by name. */
  readonly consumerGroups: readonly ConsumerGroupLag[];
  readonly deadLetters: readonly DeadLetterTopicSize[];
  /** Groups whose offsets could not be read this time. */
  readonly unreadGroups: readonly string[];
}

/** What the Overview route asks of the Kafka side. */
export interface OperationsSource {
  current(): Promise<OperationsFigures>;
}

/** The platform's long-lived consumer groups (`supportstream-*`), without the throwaway groups of a projections rebuild. */
export const platformConsumerGroup: (group: string) => boolean = platformGroupFilter();

/** The figures of one admin snapshot (pure). */
export function operationsFigures(snapshot: OffsetsSnapshot, topics: readonly string[], deadLetterTopics: readonly string[], readAt: Date): OperationsFigures {
  const lagTopics = new Set(topics);
  const high = new Map(snapshot.partitions.map((entry) => [`${entry.topic}\u0000${entry.partition}`, entry.high]));
  const groups = new Map<string, Map<string, { lag: number; partitions: number }>>();
  for (const entry of snapshot.committed) {
    const end = high.get(`${entry.topic}\u0000${entry.partition}`);
    if (end === undefined || !lagTopics.has(entry.topic)) continue;
    const byTopic = groups.get(entry.group) ?? new Map<string, { lag: number; partitions: number }>();
    const sum = byTopic.get(entry.topic) ?? { lag: 0, partitions: 0 };
    byTopic.set(entry.topic, { lag: sum.lag + Math.max(0, end - entry.committed), partitions: sum.partitions + 1 });
    groups.set(entry.group, byTopic);
  }
  const consumerGroups = [...groups].map(([group, byTopic]) => {
    const lags = [...byTopic].map(([topic, sum]) => ({ topic, ...sum })).sort((a, b) => a.topic.localeCompare(b.topic));
    return { group, lag: lags.reduce((total, entry) => total + entry.lag, 0), topics: lags };
  });
  consumerGroups.sort((a, b) => b.lag - a.lag || a.group.localeCompare(b.group));

  const dlq = new Set(deadLetterTopics);
  const sizes = new Map<string, { records: number; partitions: number }>();
  for (const entry of snapshot.partitions) {
    if (!dlq.has(entry.topic)) continue;
    const size = sizes.get(entry.topic) ?? { records: 0, partitions: 0 };
    sizes.set(entry.topic, { records: size.records + Math.max(0, entry.high - entry.low), partitions: size.partitions + 1 });
  }
  const deadLetters = [...sizes].map(([topic, size]) => ({ topic, ...size })).sort((a, b) => a.topic.localeCompare(b.topic));
  return { status: 'ok', readAt: readAt.toISOString(), message: null, consumerGroups, deadLetters, unreadGroups: snapshot.failedGroups.map((failed) => failed.group) };
}

export const unavailableFigures = (message: string): OperationsFigures => ({ status: 'unavailable', readAt: null, message, consumerGroups: [], deadLetters: [], unreadGroups: [] });

export interface OperationsSourceOptions {
  readonly reader: OffsetsReader;
  /** The topics whose consumer lag is shown (the platform's five); their `.dlq` topics are sized unless `deadLetterTopics` says otherwise. */
  readonly topics: readonly string[];
  readonly deadLetterTopics?: readonly string[];
  /** Which consumer groups to show (default: platformConsumerGroup). */
  readonly groups?: (group: string) => boolean;
  readonly maxGroups?: number;
  /** Figures (or their absence) are reused this long. Default 5 s. */
  readonly cacheMs?: number;
  /** A read that takes longer answers "unavailable" (the read itself may go on; no second one starts meanwhile). Default 3 s. */
  readonly timeoutMs?: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export function createOperationsSource(options: OperationsSourceOptions): OperationsSource {
  const logger = options.logger.child({ component: 'overview-operations' });
  const now = options.now ?? (() => new Date());
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const deadLetterTopics = options.deadLetterTopics ?? options.topics.map(defaultDeadLetterTopic);
  const readOptions = { topics: [...new Set([...options.topics, ...deadLetterTopics])], groups: options.groups ?? platformConsumerGroup, ...(options.maxGroups === undefined ? {} : { maxGroups: options.maxGroups }) };
  let cached: { readonly figures: OperationsFigures; readonly at: number } | undefined;
  let refreshing: Promise<OperationsFigures> | undefined;
  /** The admin read in progress; it may outlive the refresh that started it (a timeout). */
  let reading: Promise<OffsetsSnapshot> | undefined;
  let failing = false;

  function read(): Promise<OffsetsSnapshot> {
    if (reading) return reading;
    const started = options.reader.read(readOptions);
    reading = started;
    const done = () => {
      if (reading === started) reading = undefined;
    };
    started.then(done, done);
    return started;
  }

  async function refresh(): Promise<OperationsFigures> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const figures = operationsFigures(await Promise.race([read(), expired]), options.topics, deadLetterTopics, now());
      if (failing) logger.info('reading Kafka offsets works again');
      failing = false;
      return figures;
    } catch (error) {
      // Once per outage, not on every refresh.
      if (!failing) logger.warn({ err: error }, 'reading Kafka offsets for the overview failed');
      failing = true;
      const timedOut = error instanceof Error && error.message.startsWith('Kafka did not answer');
      return unavailableFigures(timedOut ? `Kafka did not answer within ${timeoutMs / 1000} s: consumer lag and dead-letter sizes are unavailable right now` : 'Kafka could not be read: consumer lag and dead-letter sizes are unavailable right now');
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    current() {
      if (cached !== undefined && now().getTime() - cached.at < cacheMs) return Promise.resolve(cached.figures);
      refreshing ??= refresh()
        .then((figures) => {
          cached = { figures, at: now().getTime() };
          return figures;
        })
        .finally(() => {
          refreshing = undefined;
        });
      return refreshing;
    },
  };
}
