import type { DecodedEvent, EventCodec } from '@supportstream/events';
import type { Kafka } from 'kafkajs';

export interface ReadRecord extends DecodedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
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
export async function readToEnd(kafka: Kafka, codec: EventCodec, topics: readonly string[], options: ReadToEndOptions = {}): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const targets = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(partition.high) > BigInt(partition.low)) targets.set(`${topic}:${partition.partition}`, BigInt(partition.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (targets.size === 0) return [];
  const records: ReadRecord[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const key = `${topic}:${partition}`;
        const target = targets.get(key);
        if (target === undefined) return;
        try {
          records.push({ ...(await codec.decode(message.value)), topic, partition, offset: message.offset });
        } catch (error) {
          options.onUndecodable?.(topic, partition, message.offset, error);
        }
        if (BigInt(message.offset) + 1n >= target) {
          targets.delete(key);
          if (targets.size === 0) resolveDone();
        }
      },
    });
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`reading ${topics.join(', ')} did not reach the end within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return records;
  } finally {
    await consumer.disconnect();
  }
}
