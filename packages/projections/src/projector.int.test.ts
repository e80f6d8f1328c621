import { createPool, type Pool } from '@supportstream/db';
import { testDatabaseUrl } from '@supportstream/db/testing';
import { createEventFactory, type SupportEvent } from '@supportstream/events';
import { scriptedConversation, stackConfig, uniqueName, waitFor } from '@supportstream/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConversationCache } from './cache.js';
import { readModelChecksums } from './checksum.js';
import { createProjector, type PartitionBatch, type ProjectedEvent } from './projector.js';
import { createReadModel } from './queries.js';
import { dropReadModel, ensureReadModel } from './schema.js';

let pool: Pool;
const schemas: string[] = [];
const start = new Date('2026-03-01T10:00:00Z');

async function freshSchema(prefix: string): Promise<string> {
  const schema = uniqueName(prefix).replace(/[^a-z0-9_]/g, '_');
  schemas.push(schema);
  await ensureReadModel(pool, schema);
  return schema;
}

/** Events laid out on "topics" the way the pipeline would put them, with offsets per topic. */
function logOf(events: readonly SupportEvent[]): Map<string, ProjectedEvent[]> {
  const topicOf: Record<string, string> = {
    RequestReceived: 'customer.requests',
    AgentStepCompleted: 'agent.actions',
    RunCompleted: 'agent.actions',
    StepFailed: 'agent.actions',
    ApprovalRequested: 'human.approvals',
    ApprovalDecided: 'human.approvals',
    ApprovalExpired: 'human.approvals',
    ReplyReady: 'notifications.outbound',
    SupervisorAlert: 'notifications.outbound',
    StepMetrics: 'system.analytics',
    LlmUsage: 'system.analytics',
    RequestOutcome: 'system.analytics',
  };
  const log = new Map<string, ProjectedEvent[]>();
  for (const event of events) {
    const topic = topicOf[event.type] ?? 'unknown';
    const records = log.get(topic) ?? [];
    records.push({ event, topic, partition: 0, offset: String(records.length), schemaId: 1 });
    log.set(topic, records);
  }
  return log;
}

/** The envelope of the first ApprovalRequested in a log, as the read model should give it back. */
function sampleLogRequest(log: Map<string, ProjectedEvent[]>) {
  const event = [...log.values()].flat().find((record) => record.event.type === 'ApprovalRequested')?.event;
  return event && { eventId: event.metadata.eventId, conversationId: event.metadata.conversationId, requestId: event.metadata.requestId, correlationId: event.metadata.correlationId, customerId: event.metadata.customerId ?? null };
}

const batch = (records: readonly ProjectedEvent[]): PartitionBatch => ({ topic: records[0]?.topic ?? 'none', partition: 0, records, lastOffset: records.at(-1)?.offset ?? '0' });
const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, index * size + size));

function sampleLog(tenantId: string): SupportEvent[] {
  const events = (['resolved', 'approved', 'rejected'] as const).flatMap((path, index) =>
    scriptedConversation({ conversationId: `${tenantId}-conv-${index}`, tenantId, path, startedAt: new Date(start.getTime() + index * 1_000) }),
  );
  // A supervisor's decision that arrives after the approval was already decided: refused by the
  // pipeline, so it must not change the approval here either, whatever order topics are read in.
  const first = events.find((event) => event.type === 'ApprovalDecided');
  if (first?.type === 'ApprovalDecided') {
    events.push(createEventFactory({ producer: 'tests' }).create('ApprovalDecided', { ...first.data, decision: 'REJECTED', decidedBy: 'late@example.invalid' }, { ...first.metadata }, undefined, new Date(first.metadata.occurredAt.getTime() + 5_000)));
  }
  return events;
}

beforeAll(() => {
  pool = createPool(testDatabaseUrl(), { max: 6, applicationName: 'projections-test' });
});

afterAll(async () => {
  for (const schema of schemas) await dropReadModel(pool, schema);
  await pool.end();
});

describe('projector on PostgreSQL', () => {
  it('given the same log read live (topics interleaved, small batches) and as a rebuild (topic by topic), then every table is equal', async () => {
    const tenant = uniqueName('tenant');
    const log = logOf(sampleLog(tenant));
    const live = createProjector({ pool, schema: await freshSchema('live') });
    const rebuilt = createProjector({ pool, schema: await freshSchema('rebuilt') });
    // Live: round-robin over topics, two messages at a time, newest topic first.
    const queues = [...log.values()].reverse().map((records) => chunks(records, 2));
    while (queues.some((queue) => queue.length > 0)) {
      for (const queue of queues) {
        const next = queue.shift();
        if (next) await live.apply(batch(next));
      }
    }
    for (const records of log.values()) await rebuilt.apply(batch(records));
    const [a, b] = [await readModelChecksums(pool, live.schema), await readModelChecksums(pool, rebuilt.schema)];
    expect(a.conversations.rows).toBe(3);
    expect(a.approvals.rows).toBe(2);
    expect(b).toEqual(a);

    const model = createReadModel({ pool, schema: live.schema });
    const approvals = await model.listApprovals(tenant);
    expect(approvals.map((row) => [row.status, row.decidedBy])).toEqual([
      ['APPROVED', 'supervisor@example.invalid'],
      ['REJECTED', 'supervisor@example.invalid'],
    ]);
    const requested = sampleLogRequest(log);
    expect(await model.approvalRequest(tenant, approvals[0]?.approvalId ?? '')).toEqual(requested);
    expect(await model.approvalRequest('another-tenant', approvals[0]?.approvalId ?? '')).toBeUndefined();
    const stats = await model.statistics(tenant);
    expect(stats.tenant).toMatchObject({ requests: 3, approvals_requested: 2, approvals_approved: 1, approvals_rejected: 1, resolved: 1, resolved_after_approval: 1, handed_off: 1 });
  });

  it('applying a batch again changes nothing: redelivered offsets are skipped and a re-emitted event id is a duplicate', async () => {
    const tenant = uniqueName('tenant');
    const projector = createProjector({ pool, schema: await freshSchema('idem') });
    const records = [...logOf(scriptedConversation({ conversationId: `${tenant}-conv`, tenantId: tenant, path: 'approved', startedAt: start })).values()].flat().map((record, index) => ({ ...record, topic: 'mixed', offset: String(index) }));
    const first = await projector.apply(batch(records));
    expect(first).toMatchObject({ applied: records.length, duplicates: 0, alreadyProjected: 0 });
    const before = await readModelChecksums(pool, projector.schema);

    const redelivered = await projector.apply(batch(records));
    expect(redelivered).toMatchObject({ applied: 0, alreadyProjected: records.length });
    expect(await readModelChecksums(pool, projector.schema)).toEqual(before);

    // The same events again at later offsets (a step replayed after a crash re-emits its events).
    const replayed = records.map((record, index) => ({ ...record, offset: String(records.length + index) }));
    const again = await projector.apply(batch(replayed));
    expect(again).toMatchObject({ applied: 0, duplicates: records.length, alreadyProjected: 0 });
    const after = await readModelChecksums(pool, projector.schema);
    expect({ ...after, offsets: null }).toEqual({ ...before, offsets: null });
    expect(after.offsets).not.toEqual(before.offsets);
  });

  it('the read-model change and the offset commit together: a failure part-way leaves both as they were', async () => {
    const tenant = uniqueName('tenant');
    const schema = await freshSchema('atomic');
    const projector = createProjector({ pool, schema });
    await pool.query(`CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$`);
    await pool.query(`CREATE TRIGGER refuse BEFORE INSERT ON "${schema}".tenant_stats FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse()`);
    const records = scriptedConversation({ conversationId: `${tenant}-conv`, tenantId: tenant, startedAt: start }).map((event, index) => ({ event, topic: 'mixed', partition: 0, offset: String(index), schemaId: 1 }));
    await expect(projector.apply(batch(records))).rejects.toThrow(/refused by test/);
    const counts = await pool.query<{ events: string; conversations: string; offsets: string }>(
      `SELECT (SELECT count(*) FROM "${schema}".conversation_events) AS events, (SELECT count(*) FROM "${schema}".conversations) AS conversations, (SELECT count(*) FROM "${schema}".offsets) AS offsets`,
    );
    expect(counts.rows[0]).toEqual({ events: '0', conversations: '0', offsets: '0' });
    await pool.query(`DROP TRIGGER refuse ON "${schema}".tenant_stats`);
    expect(await projector.apply(batch(records))).toMatchObject({ applied: records.length });
    expect((await projector.offsets()).get('mixed:0')).toBe(BigInt(records.length));
  });

  it('tells listeners which conversations changed, on commit, and keeps the Redis cache current', async () => {
    const tenant = uniqueName('tenant');
    const channel = uniqueName('changes').replace(/[^a-z0-9_]/g, '_');
    const schema = await freshSchema('notify');
    const listener = new pg.Client({ connectionString: testDatabaseUrl() });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(...(JSON.parse(message.payload ?? '[]') as string[])));
    await listener.query(`LISTEN ${channel}`);
    const redis = new Redis(stackConfig().REDIS_URL, { maxRetriesPerRequest: 2 });
    const cache = redisConversationCache(redis, { prefix: `${channel}:`, ttlSeconds: 60 });
    try {
      const projector = createProjector({ pool, schema, notifyChannel: channel });
      const conversationId = `${tenant}-conv`;
      const records = scriptedConversation({ conversationId, tenantId: tenant, startedAt: start }).map((event, index) => ({ event, topic: 'mixed', partition: 0, offset: String(index), schemaId: 1 }));
      const result = await projector.apply(batch(records.slice(0, 3)));
      await waitFor(() => heard.includes(conversationId), { timeoutMs: 5_000, description: 'a notification naming the conversation' });
      // The cache stores what the write returned, equal to what a reader gets from PostgreSQL.
      expect(result.views.map((view) => view.conversationId)).toEqual([conversationId]);
      expect(result.views[0]).toEqual(await createReadModel({ pool, schema }).getConversation(tenant, conversationId));
      await cache.store(result.views);
      expect(await cache.get(conversationId)).toMatchObject({ conversationId, tenantId: tenant, status: 'IN_PROGRESS', eventCount: 3 });

      const rest = await projector.apply(batch(records.slice(3).map((record) => record)));
      await cache.store(rest.views);
      expect(await cache.get(conversationId)).toMatchObject({ status: 'RESOLVED', finalReply: expect.stringContaining('Reset password') as string });
      // A copy from an earlier commit that reaches the cache late does not replace the newer one.
      await cache.store(result.views);
      expect(await cache.get(conversationId)).toMatchObject({ status: 'RESOLVED', eventCount: records.length });
      // The read model serves the cached copy only to its tenant.
      const model = createReadModel({ pool, schema, cache });
      expect(await model.getConversation(tenant, conversationId)).toMatchObject({ status: 'RESOLVED' });
      expect(await model.getConversation('another-tenant', conversationId)).toBeUndefined();
      await cache.invalidate([conversationId]);
      expect(await cache.get(conversationId)).toBeUndefined();
      expect(await model.getConversation(tenant, conversationId)).toMatchObject({ status: 'RESOLVED' });
      const page = await model.listEvents(tenant, conversationId, { limit: 5 });
      expect(page.events).toHaveLength(5);
      const next = await model.listEvents(tenant, conversationId, { afterSeq: page.nextAfterSeq ?? '0', limit: 500 });
      expect(page.events.length + next.events.length).toBe(records.length);
      expect(next.nextAfterSeq).toBeNull();
    } finally {
      await listener.end();
      redis.disconnect();
    }
  });
});

describe('stream positions', () => {
  it('a conversation’s events become visible in seq order, even when two partitions’ batches for it commit concurrently', async () => {
    const tenant = uniqueName('tenant');
    const schema = await freshSchema('order');
    // The first transaction is slowed down after it has numbered its events.
    await pool.query(`CREATE FUNCTION "${schema}".slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF current_setting('application_name') = 'slow-projector' THEN PERFORM pg_sleep(0.6); END IF; RETURN NEW; END $$`);
    await pool.query(`CREATE TRIGGER slow BEFORE INSERT OR UPDATE ON "${schema}".conversations FOR EACH ROW EXECUTE FUNCTION "${schema}".slow()`);
    const slowPool = createPool(testDatabaseUrl(), { max: 1, applicationName: 'slow-projector' });
    try {
      const events = scriptedConversation({ conversationId: `${tenant}-conv`, tenantId: tenant, startedAt: start });
      const first = events.slice(0, 10).map((event, index) => ({ event, topic: 'a', partition: 0, offset: String(index), schemaId: 1 }));
      const second = events.slice(10).map((event, index) => ({ event, topic: 'b', partition: 0, offset: String(index), schemaId: 1 }));
      const slow = createProjector({ pool: slowPool, schema }).apply(batch(first));
      await waitFor(async () => {
        const busy = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'slow-projector' AND wait_event = 'PgSleep'`);
        return (busy.rowCount ?? 0) > 0;
      }, { timeoutMs: 5_000, description: 'the slow transaction to be inside its trigger' });
      await createProjector({ pool, schema }).apply(batch(second));
      // When the second batch is visible, everything numbered before it must be visible too.
      const visible = await pool.query<{ seq: string }>(`SELECT seq::text AS seq FROM "${schema}".conversation_events ORDER BY conversation_events.seq`);
      const seqs = visible.rows.map((row) => Number(row.seq));
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => (seqs[0] ?? 0) + index));
      expect(seqs).toHaveLength(events.length);
      await slow;
    } finally {
      await slowPool.end();
    }
  });
});
