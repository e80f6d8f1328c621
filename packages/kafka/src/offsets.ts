import type { Admin } from 'kafkajs';
import { kafkajsOf, namesOf, type KafkaClient } from './client.js';

/** The log of one partition: `low` is the first offset still kept, `high` the next one to be written. */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly low: number;
  readonly high: number;
}

/** The offset a consumer group committed on one partition (the next message it will read). */
export interface CommittedOffset {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: number;
}

export interface OffsetsSnapshot {
  readonly partitions: readonly PartitionOffsets[];
  readonly committed: readonly CommittedOffset[];
  /** Groups whose offsets could not be read this time (e.g. deleted meanwhile), with the reason. */
  readonly failedGroups: readonly { readonly group: string; readonly error: string }[];
}

export interface ReadOffsetsOptions {
  /** Topics to read; those that do not exist are left out. */
  readonly topics: readonly string[];
  /** Which consumer groups to read the committed offsets of (among the broker's consumer groups). */
  readonly groups: (groupId: string) => boolean;
  /** At most this many groups (in name order), so a flood of throwaway groups cannot slow the read down. Default 100. */
  readonly maxGroups?: number;
}

export interface OffsetsReader {
  /** Watermarks of the topics and the offsets committed on them by the selected groups. */
  read(options: ReadOffsetsOptions): Promise<OffsetsSnapshot>;
  close(): Promise<void>;
}

/**
 * Reads watermarks and committed offsets with the admin API, for monitoring: unlike the lag a
 * consumer reports about itself, this shows a group that is stuck or not running at all.
 */
export function createOffsetsReader(kafka: KafkaClient): OffsetsReader {
  // Topics and groups are logical in and out: only the client's namespace's are seen.
  const names = namesOf(kafka);
  let admin: Admin | undefined;
  let connecting: Promise<Admin> | undefined;

  const connected = (): Promise<Admin> => {
    if (admin) return Promise.resolve(admin);
    connecting ??= (async () => {
      const client = kafkajsOf(kafka).admin();
      try {
        await client.connect();
      } catch (error) {
        connecting = undefined;
        throw error;
      }
      admin = client;
      return client;
    })();
    return connecting;
  };

  return {
    async read(options) {
      const client = await connected();
      const existing = new Set((await client.listTopics()).filter((topic) => names.owns(topic)).map((topic) => names.logicalTopic(topic)));
      const topics = [...new Set(options.topics)].filter((topic) => existing.has(topic)).sort();
      const partitions = (
        await Promise.all(
          topics.map(async (topic) =>
            (await client.fetchTopicOffsets(names.topic(topic))).map((entry) => ({ topic, partition: entry.partition, low: Number(entry.low), high: Number(entry.high) })),
          ),
        )
      ).flat();
      const { groups } = await client.listGroups();
      const selected = groups
        // 'consumer': groups that joined; '': offsets committed without joining (admin tools).
        .filter((group) => group.protocolType === 'consumer' || group.protocolType === '')
        .map((group) => names.logicalGroup(group.groupId))
        .filter((group): group is string => group !== undefined && options.groups(group))
        .sort()
        .slice(0, options.maxGroups ?? 100);
      const committed: CommittedOffset[] = [];
      const failedGroups: { group: string; error: string }[] = [];
      // One group at a time: a handful of requests each, and the broker is not flooded.
      for (const group of topics.length > 0 ? selected : []) {
        try {
          for (const { topic, partitions: offsets } of await client.fetchOffsets({ groupId: names.group(group), topics: topics.map((topic) => names.topic(topic)) })) {
            for (const { partition, offset } of offsets) {
              // -1: the group never committed on this partition (it does not read this topic).
              if (Number(offset) >= 0) committed.push({ group, topic: names.logicalTopic(topic), partition, committed: Number(offset) });
            }
          }
        } catch (error) {
          failedGroups.push({ group, error: error instanceof Error ? error.message : String(error) });
        }
      }
      return { partitions, committed, failedGroups };
    },
    async close() {
      const client = admin ?? (await connecting?.catch(() => undefined));
      admin = undefined;
      connecting = undefined;
      await client?.disconnect();
    },
  };
}

/** Every long-lived consumer group of the platform is named `supportstream-<service>` (logical name, before a namespace). */
export const PLATFORM_GROUP_PREFIX = 'supportstream-';
/** Throwaway groups: a projections rebuild names its own `supportstream-rebuild-…` per run. */
export const THROWAWAY_GROUP_PATTERN = /^supportstream-rebuild-/;

/**
 * Which consumer groups are the platform's, for lag figures (the Overview, the analytics
 * exporter): those with the prefix, without the throwaway ones. Given logical names, which the
 * offsets reader reports (a namespace's groups with the namespace taken off).
 */
export function platformGroupFilter(prefix: string = PLATFORM_GROUP_PREFIX, exclude: RegExp | undefined = THROWAWAY_GROUP_PATTERN): (group: string) => boolean {
  return (group) => group.startsWith(prefix) && !(exclude?.test(group) ?? false);
}
