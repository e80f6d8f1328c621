import { groupName, logicalGroupName, logicalTopicName, normalizeNamespace, topicName, type Namespace } from '@supportstream/config';
import type { Logger } from '@supportstream/observability';
import { Kafka as KafkaJs, logLevel, Partitioners, type KafkaConfig, type logCreator, type Producer, type ProducerConfig } from 'kafkajs';
import { patchKafkajsRequestQueue } from './requestQueuePatch.js';

// Before any connection exists: kafkajs 2.2.4 spins a 1 ms timer per idle connection otherwise.
const requestQueuePatch = patchKafkajsRequestQueue();

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /**
   * SUPPORTSTREAM_NAMESPACE (issue 12). Callers of this package name topics and consumer groups
   * logically (`customer.requests`, `supportstream-triage`); the factories given this client map
   * them to `<ns>.<name>` on the broker and back. Unset or empty: names are used as they are.
   */
  readonly namespace?: string | undefined;
}

/** One partition's watermarks as the admin API reports them (offsets as decimal strings). */
export interface AdminTopicOffset {
  readonly partition: number;
  readonly offset: string;
  readonly high: string;
  readonly low: string;
}

/**
 * The admin operations callers outside this package still reach through `client.admin()`. Declared
 * here, with this package's own types, so no type of the Kafka client library leaves the package;
 * new code uses the wrappers in admin.ts instead.
 */
export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  describeCluster(): Promise<unknown>;
  fetchTopicOffsets(topic: string): Promise<AdminTopicOffset[]>;
  fetchOffsets(options: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  setOffsets(options: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): Promise<void>;
  createTopics(options: { waitForLeaders?: boolean; topics: { topic: string; numPartitions?: number; replicationFactor?: number }[] }): Promise<boolean>;
  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<unknown>;
}

/**
 * What createKafka returns: a handle that callers pass to this package's factories (consumer
 * runners, producers, readers, admin wrappers). Only the admin surface above is visible, typed by
 * this package; the client library behind it is this package's business, so switching it touches
 * packages/kafka only.
 */
export interface KafkaClient {
  admin(config?: { readonly retry?: { readonly retries?: number } }): KafkaAdmin;
}

/** @deprecated Use KafkaClient; kept so call sites written against the old name compile. */
export type Kafka = KafkaClient;

/**
 * The library client behind a KafkaClient. Every KafkaClient is one: createKafka builds them, and
 * the test helpers build library clients directly (structurally a KafkaClient).
 */
export function kafkajsOf(client: KafkaClient): KafkaJs {
  return client as unknown as KafkaJs;
}

/**
 * How a client's logical names map to the broker's: every factory of this package goes through
 * it, so topics, their `.dlq` topics and consumer groups of a namespace are its own.
 */
export interface KafkaNames {
  readonly namespace: Namespace;
  /** Logical → physical topic. */
  topic(logical: string): string;
  /** Physical → logical topic; a topic outside the namespace is returned unchanged (it has no logical name). */
  logicalTopic(physical: string): string;
  /** Whether a physical topic belongs to this namespace. */
  owns(physical: string): boolean;
  group(logical: string): string;
  /** Physical → logical group, or undefined for a group of another namespace. */
  logicalGroup(physical: string): string | undefined;
}

const namespaces = new WeakMap<object, Namespace>();

export function kafkaNames(namespace: Namespace): KafkaNames {
  return {
    namespace,
    topic: (logical) => topicName(namespace, logical),
    logicalTopic: (physical) => logicalTopicName(namespace, physical) ?? physical,
    owns: (physical) => logicalTopicName(namespace, physical) !== undefined,
    group: (logical) => groupName(namespace, logical),
    logicalGroup: (physical) => logicalGroupName(namespace, physical),
  };
}

/** The names of a client: its namespace's, or today's for a client built without one (test helpers build library clients directly). */
export function namesOf(client: KafkaClient): KafkaNames {
  return kafkaNames(namespaces.get(client));
}

/** kafkajs logs go through the process's root logger instead of its own console writer. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      switch (level) {
        case logLevel.ERROR:
          child.error(fields, message);
          break;
        case logLevel.WARN:
          child.warn(fields, message);
          break;
        case logLevel.INFO:
          child.info(fields, message);
          break;
        case logLevel.DEBUG:
          child.debug(fields, message);
          break;
        case logLevel.NOTHING:
          break;
      }
    };
}

/** The only place that constructs the Kafka client, so a client switch touches this package only. */
export function createKafka(options: KafkaClientOptions): KafkaClient {
  if (!requestQueuePatch.applied) options.logger.warn({ reason: requestQueuePatch.reason }, 'kafkajs request-queue patch not applied: idle connections may spin a 1 ms timer');
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // kafkajs' WARN level reports every rebalance and retry; INFO is noise.
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(options.logger),
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
  };
  const client = new KafkaJs(config);
  namespaces.set(client, normalizeNamespace(options.namespace));
  return client;
}

/**
 * An idempotent producer as kafkajs requires it: acks=all, one request in flight (order kept on
 * retries) and unbounded retries, since a bounded retry count could break the sequence numbers
 * the broker deduplicates with. Java-compatible murmur2 partitioning, so keys land where Java
 * clients would put them. Internal: callers get an EventProducer or a DeadLetterProducer.
 */
export function createIdempotentProducer(kafka: KafkaClient, overrides: Partial<ProducerConfig> = {}): Producer {
  return kafkajsOf(kafka).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
    ...overrides,
  });
}
