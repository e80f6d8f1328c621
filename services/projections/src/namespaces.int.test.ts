import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlatformConfig, redisPrefix, topicName } from '@supportstream/config';
import { createPool, ensureDatabase, runMigrations, type Pool } from '@supportstream/db';
import { createEventCodec, createRegistryClient, EVENT_SCHEMAS, namespacedDefinitions, registerEventSchemas, TOPIC_NAMES } from '@supportstream/events';
import { applyTopics, createEventProducer, createKafka, expandDeclarations, loadTopicDeclarations, type EventProducer } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { keyVaultFromEnv } from '@supportstream/privacy';
import { sampleContext, sampleEvent, testKafka, testLogger, waitFor } from '@supportstream/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectionsService, type ProjectionsService } from './service.js';

/**
 * Issue 12, the CI test: two platforms in namespaces of their own on one Kafka, registry,
 * PostgreSQL and Redis. A request submitted in each is projected only by its own projections
 * service: topics, consumer groups, databases, Redis keys and registry subjects of one hold
 * nothing of the other, and today's (no namespace) names are not touched.
 */
const TOPICS_DIR = resolve(fileURLToPath(import.meta.url), '../../../../topics');
const logger = testLogger();
const suffix = Math.random().toString(36).slice(2, 8);
const raw = testKafka('namespaces-int');
const base = loadPlatformConfig(process.env);
const registry = createRegistryClient(base.SCHEMA_REGISTRY_URL);

interface Platform {
  readonly namespace: string;
  readonly config: ReturnType<typeof loadPlatformConfig>;
  readonly pool: Pool;
  readonly producer: EventProducer;
  readonly service: ProjectionsService;
}

const platforms: Platform[] = [];

async function startPlatform(namespace: string): Promise<Platform> {
  // The same environment as every process of that platform, plus its namespace.
  const config = loadPlatformConfig({ ...process.env, SUPPORTSTREAM_NAMESPACE: namespace });
  await ensureDatabase(config.DATABASE_URL);
  const pool = createPool(config.DATABASE_URL, { max: 3, applicationName: 'namespaces-int' });
  await runMigrations(pool);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `namespaces-int-${namespace}`, logger, namespace });
  await applyTopics(kafka, expandDeclarations(await loadTopicDeclarations(TOPICS_DIR)));
  await registerEventSchemas(registry, namespacedDefinitions(EVENT_SCHEMAS, namespace));
  const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL, namespace, cipher: keyVaultFromEnv(config, pool, logger) });
  const producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false) });
  await producer.connect();
  const service = createProjectionsService(
    { ...config, PROJECTIONS_SCHEMA: 'read_model', PROJECTIONS_GROUP: 'supportstream-projections', PROJECTIONS_CACHE_TTL_SECONDS: 600 },
    logger,
    createMetricsRegistry({}, false),
  );
  await service.start({ untilAvailable: async (_what, attempt) => attempt() });
  const platform = { namespace, config, pool, producer, service };
  platforms.push(platform);
  return platform;
}

async function brokerState(): Promise<{ topics: string[]; groups: string[] }> {
  const admin = raw.admin();
  await admin.connect();
  try {
    return { topics: await admin.listTopics(), groups: (await admin.listGroups()).groups.map((group) => group.groupId) };
  } finally {
    await admin.disconnect();
  }
}

async function conversationIds(pool: Pool): Promise<string[]> {
  return (await pool.query<{ conversation_id: string }>('select conversation_id from read_model.conversations order by 1')).rows.map((row) => row.conversation_id);
}

let a: Platform;
let b: Platform;
let defaultOffsetsBefore: string;

async function defaultTopicOffsets(): Promise<string> {
  const admin = raw.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const offsets = await Promise.all(TOPIC_NAMES.filter((topic) => existing.has(topic)).map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const));
    return JSON.stringify(offsets);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  defaultOffsetsBefore = await defaultTopicOffsets();
  a = await startPlatform(`nsa-${suffix}`);
  b = await startPlatform(`nsb-${suffix}`);
}, 120_000);

afterAll(async () => {
  for (const platform of platforms) {
    await platform.service.stop().catch(() => undefined);
    await platform.producer.disconnect().catch(() => undefined);
    await platform.pool.end().catch(() => undefined);
  }
  const { topics, groups } = await brokerState();
  const admin = raw.admin();
  await admin.connect();
  try {
    const ours = (name: string) => platforms.some((platform) => name.startsWith(`${platform.namespace}.`));
    if (topics.some(ours)) await admin.deleteTopics({ topics: topics.filter(ours) });
    if (groups.some(ours)) await admin.deleteGroups(groups.filter(ours)).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  const client = new pg.Client({ connectionString: base.DATABASE_URL });
  await client.connect();
  try {
    for (const platform of platforms) await client.query(`DROP DATABASE IF EXISTS ${new URL(platform.config.DATABASE_URL).pathname.slice(1)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    for (const platform of platforms) {
      const keys = await redis.keys(`${redisPrefix(platform.namespace)}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
  for (const subject of (await registry.subjects()).filter((name) => platforms.some((platform) => name.startsWith(`${platform.namespace}.`)))) {
    await registry.deleteSubject(subject).catch(() => undefined);
    await registry.deleteSubject(subject, true).catch(() => undefined);
  }
}, 60_000);

describe('two namespaces on one stack', () => {
  it('keep every request, topic, group, database row, Redis key and subject to themselves', async () => {
    const inA = sampleEvent('RequestReceived', sampleContext());
    const inB = sampleEvent('RequestReceived', sampleContext());
    await a.producer.publish([inA]);
    await b.producer.publish([inB]);

    // Each projections service projects its own request, and only that one.
    await waitFor(async () => (await conversationIds(a.pool)).includes(inA.metadata.conversationId), { timeoutMs: 30_000 });
    await waitFor(async () => (await conversationIds(b.pool)).includes(inB.metadata.conversationId), { timeoutMs: 30_000 });
    expect(await conversationIds(a.pool)).toEqual([inA.metadata.conversationId]);
    expect(await conversationIds(b.pool)).toEqual([inB.metadata.conversationId]);
    // Distinct databases on the one server.
    expect(a.config.DATABASE_URL).not.toBe(b.config.DATABASE_URL);
    expect(a.config.DATABASE_URL).not.toBe(base.DATABASE_URL);

    // Topics and groups: each namespace has its own set; the events are on their own topic.
    const { topics, groups } = await brokerState();
    for (const platform of [a, b]) {
      for (const topic of TOPIC_NAMES) expect(topics).toContain(topicName(platform.namespace, topic));
      expect(groups).toContain(`${platform.namespace}.supportstream-projections`);
    }
    const admin = raw.admin();
    await admin.connect();
    try {
      for (const platform of [a, b]) {
        const offsets = await admin.fetchTopicOffsets(topicName(platform.namespace, 'customer.requests'));
        expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(1);
      }
    } finally {
      await admin.disconnect();
    }
    // Today's topics did not move (nothing of either namespace went there).
    expect(await defaultTopicOffsets()).toBe(defaultOffsetsBefore);

    // Redis: each conversation is cached under its own namespace's prefix only.
    const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: 2 });
    try {
      const cached = async (namespace: string, conversationId: string) => (await redis.exists(`${redisPrefix(namespace)}supportstream:conversation:${conversationId}`)) === 1;
      await waitFor(async () => (await cached(a.namespace, inA.metadata.conversationId)) && (await cached(b.namespace, inB.metadata.conversationId)), { timeoutMs: 10_000 });
      expect(await cached(a.namespace, inB.metadata.conversationId)).toBe(false);
      expect(await cached(b.namespace, inA.metadata.conversationId)).toBe(false);
      expect(await redis.exists(`supportstream:conversation:${inA.metadata.conversationId}`, `supportstream:conversation:${inB.metadata.conversationId}`)).toBe(0);
    } finally {
      redis.disconnect();
    }

    // Registry subjects follow the namespace's topics.
    const subjects = await registry.subjects();
    for (const platform of [a, b]) expect(subjects).toContain(`${topicName(platform.namespace, 'customer.requests')}-io.supportstream.events.RequestReceived`);
  });
});
