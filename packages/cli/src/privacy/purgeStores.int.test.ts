import { postgresCallCache } from '@supportstream/agents';
import { advisoryLockKey, runMigrations, withAdvisoryLock } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { buildSupportGraph, readThread, runStartInput, threadConfig, type RequestInfo, type SupportGraph } from '@supportstream/graph';
import { hashingEmbedder, pgVectorStore, redisSessionMemory, rememberResolution, type SessionMemory, type VectorStore } from '@supportstream/memory';
import { createCheckpointer } from '@supportstream/pipeline';
import { stackConfig, uniqueName, waitFor } from '@supportstream/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASED_TARGET, purgeCustomerStores, type StorePurgeDeps, type StorePurgeReport } from './purgeStores.js';

// Everything in a scratch schema of the real database (migrations, checkpoint tables, vector
// tables) and under a unique Redis prefix, so parallel test files cannot see these rows.
const redis = new Redis(stackConfig().REDIS_URL, { maxRetriesPerRequest: 2 });
const keyPrefix = uniqueName('test-purge-session');
const embedder = hashingEmbedder();
let db: ScratchSchema;
let graph: SupportGraph;
let sessions: SessionMemory;
let vectors: VectorStore;
let deps: StorePurgeDeps;

const ZERO: StorePurgeReport = {
  sessionKeys: 0,
  resolutions: 0,
  checkpointThreads: 0,
  checkpointRows: 0,
  llmCacheRows: 0,
  queueRows: 0,
  pendingApprovals: 0,
  deliveredNotifications: 0,
};

function request(tenantId: string, customerId: string, conversationId: string, message: string): RequestInfo {
  const requestId = uniqueName('req');
  return {
    requestId,
    conversationId,
    tenantId,
    customerId,
    customerTier: 'STANDARD',
    channel: 'WEB',
    subject: null,
    message,
    correlationId: requestId,
    receivedEventId: requestId,
    receivedAt: new Date().toISOString(),
  };
}

/** Run start and the moderate step through the real graph and saver: checkpoints, blobs, writes, a cached call. */
async function converse(tenantId: string, customerId: string, conversationId: string, message: string): Promise<void> {
  const info = request(tenantId, customerId, conversationId, message);
  await graph.invoke(runStartInput(`run-${info.requestId}`, info, [], info.receivedAt), threadConfig(conversationId));
  await graph.invoke(null, threadConfig(conversationId));
}

async function seedConversation(tenantId: string, customerId: string, conversationId: string, message: string): Promise<void> {
  await converse(tenantId, customerId, conversationId, message);
  const followUp = request(tenantId, customerId, conversationId, `${message} (follow-up)`);
  await db.pool.query('INSERT INTO conversation_queue (conversation_id, request_id, request) VALUES ($1, $2, $3)', [
    conversationId,
    followUp.requestId,
    JSON.stringify(followUp),
  ]);
  const context = JSON.stringify({ conversationId, requestId: followUp.requestId, tenantId, correlationId: followUp.correlationId });
  await db.pool.query(
    `INSERT INTO pending_approvals (approval_id, conversation_id, checkpoint_id, context, expires_at, status)
     VALUES ($1, $2, 'cp-1', $3, now() + interval '1 hour', 'pending'), ($4, $2, 'cp-0', $3, now() - interval '1 hour', 'decided')`,
    [uniqueName('appr'), conversationId, context, uniqueName('appr')],
  );
  await db.pool.query(
    `INSERT INTO delivered_notifications (notification_id, kind, conversation_id, target, status_code) VALUES ($1, 'reply', $2, $3, 200)`,
    [uniqueName('reply'), conversationId, `https://hooks.example.invalid/${customerId}`],
  );
}

async function remember(tenantId: string, customerId: string | undefined, conversationId: string, question: string): Promise<void> {
  const resolvedAt = new Date().toISOString();
  const resolution = { tenantId, conversationId, customerId, question, reply: `answer to ${question}`, category: 'billing', outcome: 'resolved', resolvedAt };
  await rememberResolution(vectors, embedder, resolution);
}

async function say(tenantId: string, customerId: string, conversationId: string, text: string): Promise<void> {
  await sessions.append(tenantId, customerId, { at: new Date().toISOString(), conversationId, role: 'customer', text });
}

/** Every row the stores hold for these conversations, as comparable values. */
async function rowsOf(conversationIds: readonly string[]) {
  const ids = [conversationIds];
  const count = async (table: string, column: string) =>
    Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ANY($1::text[])`, ids)).rows[0]?.n);
  const targets = await db.pool.query<{ target: string }>('SELECT target FROM delivered_notifications WHERE conversation_id = ANY($1::text[]) ORDER BY target', ids);
  const resolutions = await vectors.list('resolutions');
  return {
    checkpoints: await count('checkpoints', 'thread_id'),
    blobs: await count('checkpoint_blobs', 'thread_id'),
    writes: await count('checkpoint_writes', 'thread_id'),
    llmCache: await count('llm_call_cache', 'thread_id'),
    queue: await count('conversation_queue', 'conversation_id'),
    approvals: await count('pending_approvals', 'conversation_id'),
    notifications: targets.rows.map((row) => row.target),
    resolutions: resolutions
      .map((doc) => String(doc.payload['conversationId']))
      .filter((id) => conversationIds.includes(id))
      .sort(),
  };
}

const recentIds = async (tenantId: string, customerId: string) => (await sessions.recent(tenantId, customerId, 50)).map((item) => item.conversationId);

/** The pg_locks row of an advisory lock taken with a bigint key: its high and low 32 bits. */
function lockRow(key: string): { classid: number; objid: number } {
  const bits = BigInt.asUintN(64, advisoryLockKey(key));
  return { classid: Number(bits >> 32n), objid: Number(bits & 0xffffffffn) };
}

async function waitsForLock(key: string): Promise<boolean> {
  const { classid, objid } = lockRow(key);
  const { rows } = await db.pool.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1::oid AND objid = $2::oid AND objsubid = 1`,
    [classid, objid],
  );
  return rows.length > 0;
}

beforeAll(async () => {
  db = await createScratchSchema('purge');
  await runMigrations(db.pool, { schema: db.schema });
  const callCache = postgresCallCache(db.pool);
  graph = buildSupportGraph({
    checkpointer: await createCheckpointer(db.pool, db.schema),
    nodes: {
      // A moderation "model call" cached as the real models cache theirs: keyed by the step's thread.
      moderate: async (state, context) => {
        const key = { threadId: context.threadId, stepKey: context.stepKey, node: context.node, index: 0 };
        await callCache.put(key, { verdict: 'allow', quoted: state.request?.message });
        return { update: { moderation: { verdict: 'allow', categories: [], reason: '' } }, summary: 'allowed' };
      },
    },
  });
  sessions = redisSessionMemory({ redis, keyPrefix });
  vectors = pgVectorStore(db.pool);
  deps = { pool: db.pool, sessions, vectors, checkpointSchema: db.schema };
});

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await db.drop();
});

describe('purgeCustomerStores', () => {
  it('removes one customer from every store and leaves other customers and tenants as they were; a second run purges 0', async () => {
    const tenant = uniqueName('tenant-purge');
    const otherTenant = uniqueName('tenant-purge-other');
    const [convA, convB, convOther, convElsewhere] = ['a', 'b', 'other', 'elsewhere'].map((name) => uniqueName(`conv-${name}`)) as [string, string, string, string];
    await seedConversation(tenant, 'cust-1', convA, 'My IBAN is DE89 3704 0044 0532 0130 00, refund me');
    await seedConversation(tenant, 'cust-1', convB, 'I live at 1 Main Street');
    await seedConversation(tenant, 'cust-2', convOther, 'Where is my parcel?');
    await seedConversation(otherTenant, 'cust-1', convElsewhere, 'Same customer id, another tenant');
    await say(tenant, 'cust-1', convA, 'refund me');
    await say(tenant, 'cust-2', convOther, 'parcel?');
    await say(otherTenant, 'cust-1', convElsewhere, 'hello');
    await remember(tenant, 'cust-1', convA, 'refund to my IBAN');
    await remember(tenant, undefined, convB, 'remembered before customerId was kept');
    await remember(tenant, 'cust-2', convOther, 'where is my parcel');
    await remember(otherTenant, 'cust-1', convElsewhere, 'another tenant');

    const targetBefore = await rowsOf([convA, convB]);
    const othersBefore = await rowsOf([convOther, convElsewhere]);
    // The seed reached every table the purge covers (else the test below could not fail).
    expect(targetBefore).toMatchObject({ llmCache: 2, queue: 2, approvals: 4, resolutions: [convA, convB].sort() });
    expect(Math.min(targetBefore.checkpoints, targetBefore.blobs, targetBefore.writes)).toBeGreaterThan(0);
    expect((await readThread(graph, convA)).values.messages?.[0]?.text).toContain('IBAN');

    const target = { tenantId: tenant, customerId: 'cust-1', conversationIds: [convA, convB, convB] };
    expect(await purgeCustomerStores(deps, target)).toEqual({
      sessionKeys: 1,
      resolutions: 2,
      checkpointThreads: 2,
      checkpointRows: targetBefore.checkpoints + targetBefore.blobs + targetBefore.writes,
      llmCacheRows: 2,
      queueRows: 2,
      pendingApprovals: 4,
      deliveredNotifications: 2,
    });

    expect(await rowsOf([convA, convB])).toEqual({
      checkpoints: 0,
      blobs: 0,
      writes: 0,
      llmCache: 0,
      queue: 0,
      approvals: 0,
      notifications: [ERASED_TARGET, ERASED_TARGET],
      resolutions: [],
    });
    expect((await readThread(graph, convA)).checkpointId).toBeUndefined();
    expect(await recentIds(tenant, 'cust-1')).toEqual([]);

    expect(await rowsOf([convOther, convElsewhere])).toEqual(othersBefore);
    expect(await recentIds(tenant, 'cust-2')).toEqual([convOther]);
    expect(await recentIds(otherTenant, 'cust-1')).toEqual([convElsewhere]);
    expect((await readThread(graph, convOther)).values.messages?.[0]?.text).toBe('Where is my parcel?');

    expect(await purgeCustomerStores(deps, target)).toEqual(ZERO);
  });

  it('waits for a step that holds a conversation’s lock, so what the step writes is purged too', async () => {
    const tenant = uniqueName('tenant-purge-lock');
    const conv = uniqueName('conv-in-flight');
    await converse(tenant, 'cust-1', conv, 'first message');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let stepLocked!: () => void;
    const locked = new Promise<void>((resolve) => (stepLocked = resolve));
    // A step in flight, under the step runner's lock: it writes its cached call late.
    const step = withAdvisoryLock(db.pool, `thread:${conv}`, async (client) => {
      stepLocked();
      await released;
      await postgresCallCache(client).put({ threadId: conv, stepKey: 'late', node: 'triage', index: 0 }, { late: true });
    });
    await locked;
    const purge = purgeCustomerStores(deps, { tenantId: tenant, customerId: 'cust-1', conversationIds: [conv] });
    try {
      await waitFor(() => waitsForLock(`thread:${conv}`), { timeoutMs: 10_000, description: 'the purge to wait for the step lock' });
    } finally {
      release();
      await step;
    }
    expect(await purge).toMatchObject({ checkpointThreads: 1, llmCacheRows: 2 });
    expect(await rowsOf([conv])).toMatchObject({ checkpoints: 0, llmCache: 0 });
  });

  it('gives up on a lock held too long with a retriable error and purges nothing', async () => {
    const tenant = uniqueName('tenant-purge-timeout');
    const conv = uniqueName('conv-stuck');
    await converse(tenant, 'cust-1', conv, 'stuck');
    await say(tenant, 'cust-1', conv, 'stuck');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let stepLocked!: () => void;
    const locked = new Promise<void>((resolve) => (stepLocked = resolve));
    const step = withAdvisoryLock(db.pool, `thread:${conv}`, async () => {
      stepLocked();
      await released;
    });
    await locked;
    try {
      const purge = purgeCustomerStores({ ...deps, lockTimeoutMs: 200 }, { tenantId: tenant, customerId: 'cust-1', conversationIds: [conv] });
      await expect(purge).rejects.toMatchObject({ code: 'DB_LOCK_TIMEOUT', retriable: true });
    } finally {
      release();
      await step;
    }
    expect((await rowsOf([conv])).checkpoints).toBeGreaterThan(0);
    expect(await recentIds(tenant, 'cust-1')).toEqual([conv]);
  });

  it('purges 0 for a customer with nothing stored, a resolutions collection never created included', async () => {
    const target = { tenantId: uniqueName('tenant-purge-empty'), customerId: 'nobody', conversationIds: [uniqueName('conv-none')] };
    expect(await purgeCustomerStores({ ...deps, resolutionsCollection: 'never_created' }, target)).toEqual(ZERO);
    expect(await purgeCustomerStores(deps, { ...target, conversationIds: [] })).toEqual(ZERO);
  });

  it('refuses a blank customer or conversation id before touching any store', async () => {
    await expect(purgeCustomerStores(deps, { tenantId: 't', customerId: ' ', conversationIds: [] })).rejects.toThrow(/customerId/);
    await expect(purgeCustomerStores(deps, { tenantId: 't', customerId: 'c', conversationIds: [''] })).rejects.toThrow(/conversationIds/);
  });
});
