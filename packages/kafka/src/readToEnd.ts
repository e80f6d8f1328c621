import type { DecodedEvent, EventCodec } from '@supportstream/events';
import { kafkajsOf, namesOf, type KafkaClient } from './client.js';
import type { MessageHeaders } from './headers.js';

export interface ReadRecord extends DecodedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A record as it is on the broker, not decoded (dead-letter topics hold bytes that may never decode). */
export interface RawReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Broker timestamp (ms since the epoch, as a string, like kafkajs gives it). */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: MessageHeaders;
}

export interface ReadToEndOptions {
  readonly timeoutMs?: number;
  /** Records that fail to decode are skipped and reported here (they are in the DLQ's care, not a reader's). */
  readonly onUndecodable?: (topic: string, partition: number, offset: string, error: unknown) => void;
}

/**
 * Reads topics from the beginning to the offsets they have now, for tools (audit, approvals CLI):
 * a consumer with a throwaway group that commits nothing and stops at the high watermarks.
 */
export async function readToEnd(kafka: KafkaClient, codec: EventCodec, topics: readonly string[], options: ReadToEndOptions = {}): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  for (const raw of await readRawToEnd(kafka, topics, options)) {
    try {
      records.push({ ...(await codec.decode(raw.value)), topic: raw.topic, partition: raw.partition, offset: raw.offset });
    } catch (error) {
      options.onUndecodable?.(raw.topic, raw.partition, raw.offset, error);
    }
  }
  return records;
}

/** Like readToEnd, without decoding: every record with its key, value and headers as stored. */
export async function readRawToEnd(kafka: KafkaClient, topics: readonly string[], options: Pick<ReadToEndOptions, 'timeoutMs'> = {}): Promise<RawReadRecord[]> {
  // One deadline for the whole read, joining the group included: a tool must never hang.
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const bounded = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    work.catch(() => undefined);
    try {
      return await Promise.race([
        work,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`reading ${topics.join(', ')} did not reach the end within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  // Topics are logical; the broker's are the client's namespace's, and records come back logical.
  const names = namesOf(kafka);
  const admin = kafkajsOf(kafka).admin();
  await bounded(admin.connect());
  const targets = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const partition of await bounded(admin.fetchTopicOffsets(names.topic(topic)))) {
        if (BigInt(partition.high) > BigInt(partition.low)) targets.set(`${names.topic(topic)}:${partition.partition}`, BigInt(partition.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (targets.size === 0) return [];
  const records: RawReadRecord[] = [];
  const consumer = kafkajsOf(kafka).consumer({ groupId: names.group(`reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`), allowAutoTopicCreation: false });
  try {
    await bounded(consumer.connect());
    await bounded(consumer.subscribe({ topics: topics.map((topic) => names.topic(topic)), fromBeginning: true }));
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    await bounded(
      consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, partition, message }) => {
          const key = `${topic}:${partition}`;
          const target = targets.get(key);
          if (target === undefined) return Promise.resolve();
          records.push({ topic: names.logicalTopic(topic), partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value, headers: message.headers ?? {} });
          if (BigInt(message.offset) + 1n >= target) {
            targets.delete(key);
            if (targets.size === 0) resolveDone();
          }
          return Promise.resolve();
        },
      }),
    );
    await bounded(done);
    return records;
  } finally {
    await consumer.disconnect();
  }
}
