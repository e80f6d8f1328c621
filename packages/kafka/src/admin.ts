import { kafkajsOf, namesOf, type KafkaClient } from './client.js';

/** A partition's log: `low` is the first offset still kept, `high` the next one to be written. */
export interface TopicPartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

/** The next offset a group will read on one partition; -1 when it never committed there. */
export interface GroupPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

async function withAdmin<T>(client: KafkaClient, work: (admin: ReturnType<ReturnType<typeof kafkajsOf>['admin']>) => Promise<T>): Promise<T> {
  const admin = kafkajsOf(client).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The watermarks of every partition of the topics, in topic then partition order. */
export function topicOffsets(client: KafkaClient, topics: readonly string[]): Promise<TopicPartitionOffsets[]> {
  return withAdmin(client, async (admin) => {
    const result: TopicPartitionOffsets[] = [];
    for (const topic of topics) {
      const entries = (await admin.fetchTopicOffsets(namesOf(client).topic(topic))).sort((a, b) => a.partition - b.partition);
      for (const entry of entries) result.push({ topic, partition: entry.partition, low: BigInt(entry.low), high: BigInt(entry.high) });
    }
    return result;
  });
}

/** What a group committed on the topics' partitions. */
export function groupOffsets(client: KafkaClient, groupId: string, topics: readonly string[]): Promise<GroupPartitionOffset[]> {
  return withAdmin(client, async (admin) =>
    (await admin.fetchOffsets({ groupId: namesOf(client).group(groupId), topics: topics.map((topic) => namesOf(client).topic(topic)) })).flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => ({ topic: namesOf(client).logicalTopic(topic), partition, offset: BigInt(offset) })),
    ),
  );
}

/**
 * Sets a group's committed offsets on one topic (the group must have no live members: Kafka
 * refuses otherwise, and the error says so).
 */
export function setGroupOffsets(client: KafkaClient, groupId: string, topic: string, partitions: readonly { readonly partition: number; readonly offset: bigint }[]): Promise<void> {
  return withAdmin(client, (admin) => admin.setOffsets({ groupId: namesOf(client).group(groupId), topic: namesOf(client).topic(topic), partitions: partitions.map(({ partition, offset }) => ({ partition, offset: offset.toString() })) }));
}
