import { createPool, type Pool } from '@supportstream/db';
import { testDatabaseUrl } from '@supportstream/db/testing';
import { createEventCodec, topicOf, type SupportEvent } from '@supportstream/events';
import { createEventProducer, createKafka, HEADER, type EventProducer } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { createTopics, deleteTopics, produceRaw, readTopic, scriptedConversation, stackConfig, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelChecksums } from './checksum.js';
import { createProjectionConsumer, type ProjectionConsumer } from './consumer.js';
import { createProjector } from './projector.js';
import { createReadModel } from './queries.js';
import { rebuildReadModel, type RebuildProgress } from './rebuild.js';
import { dropReadModel, ensureReadModel } from './schema.js';
import { alignGroupOffsets } from './alignOffsets.js';

const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'projections-test', logger });
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const prefix = uniqueName('proj');
const topicFor = (event: SupportEvent) => `${prefix}.${topicOf(event.type)}`;
const topics = ['customer.requests', 'agent.actions', 'human.approvals', 'notifications.outbound', 'system.analytics'].map((topic) => `${prefix}.${topic}`);
const liveSchema = uniqueName('live').replace(/[^a-z0-9_]/g, '_');
const schemas = [liveSchema];
const tenant = uniqueName('tenant');
let pool: Pool;
let producer: EventProducer;
let live: ProjectionConsumer;

function conversations(from: number, count: number): SupportEvent[] {
  const paths = ['resolved', 'approved', 'rejected'] as const;
  return Array.from({ length: count }, (_, index) =>
    scriptedConversation({ conversationId: `${tenant}-conv-${from + index}`, tenantId: tenant, path: paths[(from + index) % 3] ?? 'resolved', startedAt: new Date(Date.UTC(2026, 2, 1, 10, 0, from + index)) }),
  ).flat();
}

async function waitForLiveAt(events: number): Promise<void> {
  await waitFor(
    async () => {
      const result = await pool.query<{ count: string }>(`SELECT count(*) FROM "${liveSchema}".conversation_events WHERE tenant_id = $1`, [tenant]);
      return Number(result.rows[0]?.count) >= events;
    },
    { timeoutMs: 30_000, description: `${events} events projected` },
  );
}

beforeAll(async () => {
  pool = createPool(testDatabaseUrl(), { max: 8, applicationName: 'projections-consumer-test' });
  await createTopics(kafka, topics, 2);
  await ensureReadModel(pool, liveSchema);
  producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor });
  await producer.connect();
  live = createProjectionConsumer({
    kafka,
    codec,
    projector: createProjector({ pool, schema: liveSchema }),
    groupId: `${prefix}-live`,
    topics,
    logger,
    metrics: createMetricsRegistry({}, false),
    deadLetter: true,
  });
  await live.start();
}, 60_000);

afterAll(async () => {
  await live.stop();
  await producer.disconnect();
  for (const schema of schemas) await dropReadModel(pool, schema);
  await pool.end();
  await deleteTopics(kafka, topics);
});

describe('projections from Kafka', () => {
  it('projects every topic, dead-letters a poison message with its reason and moves past it', async () => {
    const events = conversations(0, 6);
    await producer.publish(events);
    await produceRaw(kafka, `${prefix}.agent.actions`, [{ key: `${tenant}-conv-0`, value: Buffer.from('{"not":"avro"}') }]);
    await producer.publish(conversations(6, 3));
    await waitForLiveAt(events.length + conversations(6, 3).length);
    const dead = await readTopic(kafka, `${prefix}.agent.actions.dlq`, 1);
    expect(dead[0]?.headers[HEADER.dlqErrorCode]).toBe('UNDECODABLE');
    expect(dead[0]?.headers[HEADER.dlqGroup]).toBe(`${prefix}-live`);
    const model = createReadModel({ pool, schema: liveSchema });
    expect(await model.getConversation(tenant, `${tenant}-conv-1`)).toMatchObject({ status: 'RESOLVED_AFTER_APPROVAL', customerTier: 'VIP' });
    expect(await model.getConversation(tenant, `${tenant}-conv-2`)).toMatchObject({ status: 'HANDED_OFF' });
    expect((await model.statistics(tenant)).tenant).toMatchObject({ requests: 9, runs_completed: 9 });
  }, 60_000);

  it('a rebuild from offset 0 reports progress and equals the live read model, table by table; a tampered live table is caught', async () => {
    // More traffic while the rebuild runs: the comparison must still line up the offsets.
    const more = producer.publish(conversations(9, 6));
    const progress: RebuildProgress[] = [];
    const target = uniqueName('rebuilt').replace(/[^a-z0-9_]/g, '_');
    schemas.push(target);
    const report = await rebuildReadModel({ kafka, codec, pool, logger, topics, targetSchema: target, liveSchema, onProgress: (entry) => progress.push(entry), progressIntervalMs: 50 });
    await more;
    expect(report.comparison?.equal).toBe(true);
    expect(report.comparison?.tables.map((table) => table.table)).toEqual(['offsets', 'conversation_events', 'conversations', 'approvals', 'agent_stats', 'cost_stats', 'tenant_stats']);
    expect(report.checksums.conversation_events.rows).toBeGreaterThanOrEqual(conversations(0, 9).length);
    expect(report.messages).toBeGreaterThanOrEqual(conversations(0, 9).length + 1);
    expect(progress.at(-1)?.remaining).toBe(0);

    // Negative check: the comparison can fail. Change one live row; a second rebuild must say which table differs.
    await waitForLiveAt(conversations(0, 15).length);
    await pool.query(`UPDATE "${liveSchema}".conversations SET final_reply = 'tampered' WHERE conversation_id = $1`, [`${tenant}-conv-0`]);
    const second = uniqueName('rebuilt').replace(/[^a-z0-9_]/g, '_');
    schemas.push(second);
    const tampered = await rebuildReadModel({ kafka, codec, pool, logger, topics, targetSchema: second, liveSchema });
    expect(tampered.comparison?.equal).toBe(false);
    expect(tampered.comparison?.tables.filter((table) => !table.equal).map((table) => table.table)).toEqual(['conversations']);
  }, 120_000);

  it('a group whose committed offsets are ahead of the read model is rewound to it before joining', async () => {
    const schema = uniqueName('behind').replace(/[^a-z0-9_]/g, '_');
    schemas.push(schema);
    await ensureReadModel(pool, schema);
    const projector = createProjector({ pool, schema });
    const groupId = `${prefix}-restored`;
    // The group has read everything, but the read model is empty (say it was restored from an old backup).
    const admin = kafka.admin();
    await admin.connect();
    try {
      // One topic is enough (kafkajs rewinds a group topic by topic, seconds each).
      for (const topic of [`${prefix}.agent.actions`]) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId, topic, partitions: ends.map((entry) => ({ partition: entry.partition, offset: entry.high })) });
      }
    } finally {
      await admin.disconnect();
    }
    expect(await alignGroupOffsets({ kafka, groupId, topics, projector, logger })).toBeGreaterThan(0);
    const consumer = createProjectionConsumer({ kafka, codec, projector, groupId, topics, logger, metrics: createMetricsRegistry({}, false), deadLetter: false });
    await consumer.start();
    try {
      const expected = await readModelChecksums(pool, liveSchema);
      await waitFor(async () => (await readModelChecksums(pool, schema)).conversation_events.rows >= expected.conversation_events.rows, { timeoutMs: 30_000, description: 'the restored read model caught up' });
    } finally {
      await consumer.stop();
    }
  }, 60_000);
});
