import { runMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { buildSupportGraph, readThread, runStartInput, threadConfig, type RequestInfo, type SupportGraph } from '@supportstream/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedNodes } from '../test/scriptedNodes.js';
import { createCheckpointer } from './checkpointer.js';
import { pruneCheckpoints } from './pruneCheckpoints.js';

let db: ScratchSchema;
let graph: SupportGraph;

const request = (conversationId: string, requestId: string, message: string): RequestInfo => ({
  requestId,
  conversationId,
  tenantId: 't',
  customerId: 'c',
  customerTier: 'STANDARD',
  channel: 'WEB',
  subject: null,
  message,
  correlationId: requestId,
  receivedEventId: requestId,
  receivedAt: new Date().toISOString(),
});

async function runToPause(conversationId: string, requestId: string, message: string): Promise<void> {
  await graph.invoke(runStartInput(`run-${requestId}`, request(conversationId, requestId, message), [], new Date().toISOString()), threadConfig(conversationId));
  for (let step = 0; step < 20; step += 1) {
    const state = await readThread(graph, conversationId);
    if (state.next.length === 0 || state.interrupts.length > 0) return;
    await graph.invoke(null, threadConfig(conversationId));
  }
}

const count = async (table: string, threadId: string) =>
  Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE thread_id = $1`, [threadId])).rows[0]?.n);

beforeAll(async () => {
  db = await createScratchSchema('prune');
  await runMigrations(db.pool, { schema: db.schema });
  graph = buildSupportGraph({ nodes: scriptedNodes(), checkpointer: await createCheckpointer(db.pool, db.schema) });
});

afterAll(async () => {
  await db.drop();
});

describe('checkpoint retention', () => {
  it('compacts a closed, idle thread to its latest checkpoint; the conversation still takes a follow-up', async () => {
    await runToPause('closed', 'r1', 'Where is my parcel?');
    await runToPause('waiting', 'r2', 'Please refund my order');
    const before = await count('checkpoints', 'closed');
    expect(before).toBeGreaterThan(5);
    const waitingBefore = await count('checkpoints', 'waiting');

    // Nothing is old enough yet.
    expect((await pruneCheckpoints(graph, db.pool, { idleDays: 30, schema: db.schema })).threads).toBe(0);

    const later = () => new Date(Date.now() + 31 * 86_400_000);
    const report = await pruneCheckpoints(graph, db.pool, { idleDays: 30, schema: db.schema, now: later });
    expect(report.threads).toBe(1);
    expect(report.checkpoints).toBe(before - 1);
    expect(await count('checkpoints', 'closed')).toBe(1);
    expect(await count('checkpoints', 'waiting')).toBe(waitingBefore);

    const kept = await readThread(graph, 'closed');
    expect(kept.values.outcome).toBe('RESOLVED');
    expect(kept.values.messages.map((message) => message.role)).toEqual(['customer', 'agent']);

    await runToPause('closed', 'r3', 'And my invoice?');
    const after = await readThread(graph, 'closed');
    expect(after.values.outcome).toBe('RESOLVED');
    expect(after.values.messages).toHaveLength(4);
  });
});
