import { TransientError } from '@supportstream/errors';
import { kafkajsOf, namesOf, type KafkaClient } from '../client.js';
import type { RawReadRecord } from '../readToEnd.js';
import type { DeadLetterPosition } from './deadLetterRecord.js';

/** Rejects with a retriable TIMEOUT once `timeoutMs` passed since it was made; one deadline for several steps. */
export function createDeadline(timeoutMs: number, what: string): <T>(work: Promise<T>) => Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    work.catch(() => undefined);
    try {
      return await Promise.race([
        work,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new TransientError('TIMEOUT', `${what} did not finish within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The one record at a position, as stored (undefined when the topic, partition or offset does not
 * exist, or retention removed it). The watermarks are checked first, so a position past the end
 * costs one admin call; otherwise a throwaway consumer (no commits) seeks to the offset and takes
 * the first record it is given there.
 */
export async function readRecordAt(kafka: KafkaClient, position: DeadLetterPosition, options: { readonly timeoutMs?: number } = {}): Promise<RawReadRecord | undefined> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const bounded = createDeadline(timeoutMs, `reading ${position.topic}[${position.partition}]@${position.offset}`);
  const target = BigInt(position.offset);
  // The position names the topic logically; the broker's is the client's namespace's.
  const names = namesOf(kafka);
  const physical = names.topic(position.topic);
  const admin = kafkajsOf(kafka).admin();
  await bounded(admin.connect());
  try {
    if (!(await bounded(admin.listTopics())).includes(physical)) return undefined;
    const watermarks = (await bounded(admin.fetchTopicOffsets(physical))).find((entry) => entry.partition === position.partition);
    if (watermarks === undefined || target < BigInt(watermarks.low) || target >= BigInt(watermarks.high)) return undefined;
  } finally {
    await admin.disconnect();
  }
  const consumer = kafkajsOf(kafka).consumer({ groupId: names.group(`dlq-reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`), allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  try {
    await bounded(consumer.connect());
    await bounded(consumer.subscribe({ topics: [physical], fromBeginning: false }));
    let settle: (record: RawReadRecord | undefined) => void = () => undefined;
    const found = new Promise<RawReadRecord | undefined>((resolve) => {
      settle = resolve;
    });
    await bounded(
      consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, partition, message }) => {
          // Compacted or transactional gaps: the first offset at or past the target decides.
          if (partition === position.partition && BigInt(message.offset) >= target) {
            settle(BigInt(message.offset) === target ? { topic: names.logicalTopic(topic), partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value, headers: message.headers ?? {} } : undefined);
          }
          return Promise.resolve();
        },
      }),
    );
    consumer.seek({ topic: physical, partition: position.partition, offset: position.offset });
    return await bounded(found);
  } finally {
    await consumer.disconnect();
  }
}
