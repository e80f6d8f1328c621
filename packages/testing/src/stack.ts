import { loadPlatformConfig, type PlatformConfig } from '@supportstream/config';
import { createLogger, type Logger } from '@supportstream/observability';
import { Kafka, logLevel, type IHeaders, type KafkaMessage } from 'kafkajs';
import { waitFor } from './waitFor.js';

/** Endpoints of the local stack started by `npm run stack up` (deploy/local/env.sh). */
export function stackConfig(): PlatformConfig {
  return loadPlatformConfig(process.env);
}

export function testLogger(): Logger {
  return createLogger({ service: 'test', level: (process.env['TEST_LOG_LEVEL'] as 'info' | undefined) ?? 'fatal' });
}

/**
 * Any Kafka client of the platform: createKafka's KafkaClient or testKafka's. Both are kafkajs
 * clients underneath, which the helpers below use directly (test support may; services may not).
 */
export type AnyKafkaClient = { admin(): unknown };
const library = (kafka: AnyKafkaClient): Kafka => kafka as unknown as Kafka;

/** A raw kafkajs client for tests that drive the broker directly (seeks, admin calls). */
export function testKafka(clientId = 'tests'): Kafka {
  return new Kafka({ brokers: stackConfig().KAFKA_BROKERS, clientId, logLevel: logLevel.NOTHING });
}

/**
 * Creates topics (and their `.dlq`) for one test; names must be unique per test. Replication is
 * the cluster's (1 on one broker, 3 on `STACK_BROKERS=3`, min ISR 2 there), so a test topic obeys
 * the same promises as the platform's. Leaders are awaited here rather than by kafkajs, whose own
 * wait asks one broker once and fails with "does not host this topic-partition" while the
 * controller's metadata is still on its way (seen under a full parallel int run).
 */
export async function createTopics(kafka: AnyKafkaClient, topics: readonly string[], partitions = 1, withDlq = true): Promise<void> {
  const admin = library(kafka).admin();
  await admin.connect();
  try {
    const names = topics.flatMap((topic) => (withDlq ? [topic, `${topic}.dlq`] : [topic]));
    const { brokers } = await admin.describeCluster();
    const replicationFactor = Math.min(3, brokers.length);
    const configEntries = replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : [];
    await admin.createTopics({ waitForLeaders: false, topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, configEntries })) });
    await waitFor(
      async () => {
        const listed = new Set(await admin.listTopics());
        if (names.some((name) => !listed.has(name))) return false;
        const described = (await admin.fetchTopicMetadata({ topics: names })).topics;
        const ready = names.every((name) => {
          const topic = described.find((candidate) => candidate.name === name);
          return topic !== undefined && topic.partitions.length === partitions && topic.partitions.every((partition) => partition.leader >= 0);
        });
        return ready || false;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: `leaders for ${names.join(', ')}` },
    );
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: AnyKafkaClient, topics: readonly string[]): Promise<void> {
  const admin = library(kafka).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const names = topics.flatMap((topic) => [topic, `${topic}.dlq`]).filter((topic) => existing.has(topic));
    if (names.length > 0) await admin.deleteTopics({ topics: names });
  } finally {
    await admin.disconnect();
  }
}

export interface RawRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

function flatHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return result;
}

/** Reads a topic from the beginning with a throwaway group until `count` records arrived. */
export async function readTopic(kafka: AnyKafkaClient, topic: string, count: number, timeoutMs = 20_000): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const consumer = library(kafka).consumer({ groupId: `reader-${topic}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        records.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value, headers: flatHeaders(message.headers) });
        return Promise.resolve();
      },
    });
    await waitFor(() => records.length >= count, { timeoutMs, description: `${count} record(s) on ${topic} (got ${records.length})` });
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** A producer that writes raw bytes, for poison messages that the event producer refuses to make. */
export async function produceRaw(kafka: AnyKafkaClient, topic: string, messages: readonly { key: string; value: Buffer | null; partition?: number; headers?: Record<string, string> }[]): Promise<void> {
  const producer = library(kafka).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((message) => ({ ...message })) });
  } finally {
    await producer.disconnect();
  }
}

export { logLevel };
