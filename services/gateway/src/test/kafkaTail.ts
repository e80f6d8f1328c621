import type { DecodedEvent } from '@supportstream/events';
import { testKafka, waitFor } from '@supportstream/testing';
import { codec } from './harness.js';

/** The next offset of every partition of a topic now: mark before acting, read what came after. */
export async function topicEnd(topic: string): Promise<Map<number, bigint>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, BigInt(entry.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record of a (shared) topic between two marks, decoded: a throwaway consumer seeks each
 * partition to `from` and reads up to `to`. "Exactly one" claims hold for everything up to `to`.
 */
export async function readBetween(topic: string, from: Map<number, bigint>, to: Map<number, bigint>): Promise<DecodedEvent[]> {
  const pending = new Map([...to].filter(([partition, end]) => end > (from.get(partition) ?? 0n)));
  const records: { partition: number; offset: bigint; bytes: Buffer | null }[] = [];
  if (pending.size === 0) return [];
  const consumer = testKafka().consumer({ groupId: `gateway-test-reader-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const offset = BigInt(message.offset);
        const end = to.get(partition) ?? 0n;
        if (offset >= (from.get(partition) ?? 0n) && offset < end) {
          records.push({ partition, offset, bytes: message.value });
          if (offset + 1n >= end) pending.delete(partition);
        }
        return Promise.resolve();
      },
    });
    for (const [partition] of pending) consumer.seek({ topic, partition, offset: String(from.get(partition) ?? 0n) });
    await waitFor(() => pending.size === 0, { timeoutMs: 30_000, description: () => `${topic} read up to the mark (partitions left: ${[...pending.keys()].join(',')})` });
  } finally {
    await consumer.disconnect();
  }
  records.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1));
  // Other tests write to shared topics too; what does not decode is not ours.
  const decoded = await Promise.allSettled(records.map((record) => codec.decode(record.bytes)));
  return decoded.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}
