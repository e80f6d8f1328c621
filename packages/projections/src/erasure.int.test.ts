import { createPool, type Pool } from '@supportstream/db';
import { testDatabaseUrl } from '@supportstream/db/testing';
import { ERASED_FIELD, erasePersonalFields, type SupportEvent } from '@supportstream/events';
import { scriptedConversation, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareChecksums, readModelChecksums } from './checksum.js';
import { eraseCustomerReadModel } from './erasure.js';
import { createProjector, type PartitionBatch, type ProjectedEvent } from './projector.js';
import { dropReadModel, ensureReadModel } from './schema.js';

let pool: Pool;
const schemas: string[] = [];
const start = new Date('2026-04-01T10:00:00Z');
const tenantId = 'tenant-erasure';

async function freshSchema(prefix: string): Promise<string> {
  const schema = uniqueName(prefix).replace(/[^a-z0-9_]/g, '_');
  schemas.push(schema);
  await ensureReadModel(pool, schema);
  return schema;
}

/** Three customers: the one to erase has an answered and an approved conversation. */
function sampleLog(): SupportEvent[] {
  const conversation = (index: number, customerId: string, path: 'resolved' | 'approved' | 'rejected', message: string) =>
    scriptedConversation({ conversationId: `erasure-conv-${index}`, tenantId, customerId, path, message, startedAt: new Date(start.getTime() + index * 1_000) });
  return [
    ...conversation(0, 'cust-erased', 'resolved', 'How do I reset my password? I am Jane Roe, jane@example.com'),
    ...conversation(1, 'cust-kept', 'resolved', 'How do I reset my password? I am John Poe'),
    ...conversation(2, 'cust-erased', 'approved', 'Refund 49.99 EUR to card 4111 1111 1111 1111'),
    ...conversation(3, 'cust-kept', 'rejected', 'Refund me, John Poe'),
  ];
}

/** Every event on one "topic" in log order: the projector folds it as the live service would. */
async function project(schema: string, events: readonly SupportEvent[]): Promise<void> {
  const projector = createProjector({ pool, schema });
  const records: ProjectedEvent[] = events.map((event, index) => ({ event, topic: 'log', partition: 0, offset: String(index), schemaId: 1 }));
  const batch: PartitionBatch = { topic: 'log', partition: 0, records, lastOffset: String(records.length - 1) };
  await projector.apply(batch);
}

beforeAll(() => {
  pool = createPool(testDatabaseUrl(), { max: 4 });
});

afterAll(async () => {
  for (const schema of schemas) await dropReadModel(pool, schema);
  await pool.end();
});

describe('erasing a customer from a read model', () => {
  it('leaves exactly the model that the log folds into once their key is erased, and is idempotent', async () => {
    const events = sampleLog();
    const live = await freshSchema('erasure_live');
    await project(live, events);
    const report = await eraseCustomerReadModel(pool, { tenantId, customerId: 'cust-erased', schema: live });
    expect(report.conversationIds).toEqual(['erasure-conv-0', 'erasure-conv-2']);
    expect(report.approvals).toBe(1);

    // What a rebuild reads after the erasure: the erased customer's sealed fields decode as [erased].
    const rebuilt = await freshSchema('erasure_rebuilt');
    await project(
      rebuilt,
      events.map((event) => (['erasure-conv-0', 'erasure-conv-2'].includes(event.metadata.conversationId) ? ({ ...event, data: erasePersonalFields(event.type, event.data) } as SupportEvent) : event)),
    );
    const comparison = compareChecksums(await readModelChecksums(pool, live), await readModelChecksums(pool, rebuilt));
    expect(comparison.tables.filter((table) => !table.equal)).toEqual([]);

    const rows = await pool.query<{ conversation_id: string; last_message: string; final_reply: string | null; customer_id: string; status: string }>(
      `SELECT conversation_id, last_message, final_reply, customer_id, status FROM "${live}".conversations ORDER BY conversation_id`,
    );
    expect(rows.rows.map((row) => [row.conversation_id, row.last_message === ERASED_FIELD])).toEqual([
      ['erasure-conv-0', true],
      ['erasure-conv-1', false],
      ['erasure-conv-2', true],
      ['erasure-conv-3', false],
    ]);
    expect(rows.rows[0]).toMatchObject({ customer_id: 'cust-erased', status: 'RESOLVED', final_reply: ERASED_FIELD });
    const leaks = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "${live}".conversation_events WHERE conversation_id IN ('erasure-conv-0', 'erasure-conv-2') AND (payload::text ~ 'Jane|jane@|4111' OR summary ~ 'Jane|jane@|4111|password')`,
    );
    expect(leaks.rows[0]?.n).toBe('0');
    const approval = await pool.query<{ proposed_reply: string; proposed_actions: { description: string; amount: unknown }[] }>(
      `SELECT proposed_reply, proposed_actions FROM "${live}".approvals WHERE conversation_id = 'erasure-conv-2'`,
    );
    expect(approval.rows[0]?.proposed_reply).toBe(ERASED_FIELD);
    expect(approval.rows[0]?.proposed_actions.every((action) => action.description === ERASED_FIELD && action.amount !== null)).toBe(true);
    // The other customer is untouched.
    const kept = await pool.query<{ last_message: string }>(`SELECT last_message FROM "${live}".conversations WHERE conversation_id = 'erasure-conv-1'`);
    expect(kept.rows[0]?.last_message).toContain('John Poe');

    const before = await readModelChecksums(pool, live);
    expect((await eraseCustomerReadModel(pool, { tenantId, customerId: 'cust-erased', schema: live })).conversationIds).toHaveLength(2);
    expect(compareChecksums(before, await readModelChecksums(pool, live)).equal).toBe(true);
  });

  it('finds nothing for an unknown customer or another tenant', async () => {
    const live = await freshSchema('erasure_none');
    await project(live, sampleLog());
    expect(await eraseCustomerReadModel(pool, { tenantId, customerId: 'cust-nobody', schema: live })).toEqual({ conversationIds: [], events: 0, approvals: 0 });
    expect((await eraseCustomerReadModel(pool, { tenantId: 'tenant-other', customerId: 'cust-erased', schema: live })).conversationIds).toEqual([]);
  });
});
