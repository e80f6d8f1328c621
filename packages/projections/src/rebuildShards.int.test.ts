import { createPool, type Pool } from '@supportstream/db';
import { testDatabaseUrl } from '@supportstream/db/testing';
import { createEventCodec, topicOf, type SupportEvent } from '@supportstream/events';
import { createEventProducer, createKafka, type EventProducer } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, scriptedConversation, stackConfig, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectionConsumer, type ProjectionConsumer } from './consumer.js';
import { createProjector } from './projector.js';
import { rebuildReadModel } from './rebuild.js';
import { dropReadModel, ensureReadModel } from './schema.js';

// A rebuild split over threads: the platform's topic layout (6 partitions on agent.actions and
// human.approvals, 3 on the others), so the shards must hold co-located partitions, not equal numbers.
const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'rebuild-shards-test', logger });
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const connection = { kafkaBrokers: config.KAFKA_BROKERS, schemaRegistryUrl: config.SCHEMA_REGISTRY_URL, databaseUrl: testDatabaseUrl() };
const prefix = uniqueName('shards');
const topicFor = (event: SupportEvent) => `${prefix}.${topicOf(event.type)}`;
const sixPartitions = ['agent.actions', 'human.approvals'].map((topic) => `${prefix}.${topic}`);
const threePartitions = ['customer.requests', 'notifications.outbound', 'system.analytics'].map((topic) => `${prefix}.${topic}`);
const topics = [...threePartitions, ...sixPartitions];
const liveSchema = uniqueName('shardlive').replace(/[^a-z0-9_]/g, '_');
const schemas = [liveSchema];
const tenant = uniqueName('tenant');
let pool: Pool;
let producer: EventProducer;
let live: ProjectionConsumer;

const paths = ['resolved', 'approved', 'rejected'] as const;
const conversation = (index: number) =>
  scriptedConversation({ conversationId: `${tenant}-conv-${index}`, tenantId: tenant, path: paths[index % 3] ?? 'resolved', startedAt: new Date(Date.UTC(2026, 3, 1, 9, 0, index)) });
const CONVERSATIONS = 60;
const events = Array.from({ length: CONVERSATIONS }, (_, index) => conversation(index)).flat();

beforeAll(async () => {
  pool = createPool(testDatabaseUrl(), { max: 8, applicationName: 'rebuild-shards-test' });
  await createTopics(kafka, sixPartitions, 6);
  await createTopics(kafka, threePartitions, 3);
  await ensureReadModel(pool, liveSchema);
  producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor });
  await producer.connect();
  live = createProjectionConsumer({ kafka, codec, projector: createProjector({ pool, schema: liveSchema }), groupId: `${prefix}-live`, topics, logger, metrics: createMetricsRegistry({}, false), deadLetter: false });
  await live.start();
  await producer.publish(events);
  await waitFor(
    async () => Number((await pool.query<{ count: string }>(`SELECT count(*) FROM "${liveSchema}".conversation_events`)).rows[0]?.count) >= events.length,
    { timeoutMs: 60_000, description: 'the live projection has every event' },
  );
}, 120_000);

afterAll(async () => {
  await live.stop();
  await producer.disconnect();
  for (const schema of schemas) await dropReadModel(pool, schema);
  await pool.end();
  await deleteTopics(kafka, topics);
});

describe('a rebuild in shards', () => {
  it('three shards (the main thread and two workers) fold disjoint co-located partitions and equal the live read model, table by table', async () => {
    const target = uniqueName('sharded').replace(/[^a-z0-9_]/g, '_');
    schemas.push(target);
    const report = await rebuildReadModel({ kafka, codec, pool, logger, topics, targetSchema: target, liveSchema, shards: 3, connection });
    expect(report.comparison?.equal).toBe(true);
    expect(report.checksums.conversation_events.rows).toBe(events.length);
    expect(report.checksums.conversations.rows).toBe(CONVERSATIONS);
    // Every shard did part of the work: gcd(6, 3) = 3 groups, one per shard, each 2 + 2 + 1 + 1 + 1 partitions.
    expect(report.shards).toHaveLength(3);
    for (const shard of report.shards) {
      expect(shard.messages).toBeGreaterThan(0);
      expect(shard.partitions).toBeLessThanOrEqual(7);
    }
    expect(report.shards.reduce((sum, shard) => sum + shard.messages, 0)).toBe(report.messages);
    // Counters summed over shards: the tenant's totals as the live model has them.
    const tenantRows = await pool.query<{ requests: string; runs_completed: string }>(`SELECT requests::int, runs_completed::int FROM "${target}".tenant_stats WHERE tenant_id = $1`, [tenant]);
    expect(tenantRows.rows[0]).toEqual({ requests: CONVERSATIONS, runs_completed: CONVERSATIONS });
  }, 120_000);

  it('a conversation whose events are not co-located fails the rebuild with the reason, instead of a read model split between shards', async () => {
    // An outside producer that ignores the key: one more request of conversation 0 on another partition group.
    const [request] = conversation(0);
    if (request === undefined) throw new Error('scripted conversation without events');
    const stray = { ...request, metadata: { ...request.metadata, eventId: `${request.metadata.eventId}-stray` } } as SupportEvent;
    const requests = `${prefix}.customer.requests`;
    const home = (await pool.query<{ partition: number }>(`SELECT partition FROM "${liveSchema}".conversation_events WHERE event_id = $1`, [request.metadata.eventId])).rows[0]?.partition;
    expect(home).toBeDefined();
    await produceRaw(kafka, requests, [{ key: request.metadata.conversationId, value: await codec.encode(stray), partition: ((home ?? 0) + 1) % 3 }]);
    const target = uniqueName('split').replace(/[^a-z0-9_]/g, '_');
    schemas.push(target);
    await expect(rebuildReadModel({ kafka, codec, pool, logger, topics, targetSchema: target, shards: 3, connection })).rejects.toMatchObject({ code: 'REBUILD_NOT_COPARTITIONED' });
    // One shard folds it all: the same log rebuilds.
    const whole = uniqueName('whole').replace(/[^a-z0-9_]/g, '_');
    schemas.push(whole);
    const report = await rebuildReadModel({ kafka, codec, pool, logger, topics, targetSchema: whole, shards: 1 });
    expect(report.checksums.conversation_events.rows).toBe(events.length + 1);
  }, 120_000);
});
