import { createPool, type Pool } from '@supportstream/db';
import { testDatabaseUrl } from '@supportstream/db/testing';
import type { SupportEvent } from '@supportstream/events';
import { scriptedConversation, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulkProjector } from './bulkProjector.js';
import { compareChecksums, readModelChecksums } from './checksum.js';
import { createProjector, type PartitionBatch } from './projector.js';
import { dropReadModel, ensureReadModel } from './schema.js';

let pool: Pool;
const schemas: string[] = [];
const CARD = '4111 1111 1111 1111';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const EMAIL = 'jane.roe@example.com';

beforeAll(() => {
  pool = createPool(testDatabaseUrl(), { max: 4 });
});

afterAll(async () => {
  for (const schema of schemas) await dropReadModel(pool, schema);
  await pool.end();
});

async function freshSchema(prefix: string, deferIndexes = false): Promise<string> {
  const schema = uniqueName(prefix).replace(/[^a-z0-9_]/g, '_');
  schemas.push(schema);
  await ensureReadModel(pool, schema, { deferIndexes });
  return schema;
}

const batchOf = (events: readonly SupportEvent[]): PartitionBatch => ({
  topic: 'log',
  partition: 0,
  records: events.map((event, index) => ({ event, topic: 'log', partition: 0, offset: String(index), schemaId: 1 })),
  lastOffset: String(events.length - 1),
});

describe('personal data in the read model', () => {
  it('keeps card numbers, IBANs and e-mail addresses masked, live and rebuilt alike', async () => {
    const events = scriptedConversation({
      conversationId: uniqueName('masked-conv'),
      tenantId: 'tenant-mask',
      path: 'approved',
      startedAt: new Date('2026-05-01T09:00:00Z'),
      message: `Refund the double charge on card ${CARD} to ${IBAN}, and write to ${EMAIL}`,
    });
    const live = await freshSchema('masked_live');
    await createProjector({ pool, schema: live }).apply(batchOf(events));
    const rebuilt = await freshSchema('masked_bulk', true);
    const bulk = createBulkProjector({ pool, schema: rebuilt, copyRows: 10 });
    await bulk.apply(batchOf(events));
    await bulk.finish();

    for (const schema of [live, rebuilt]) {
      const dump = await pool.query<{ text: string }>(
        `SELECT (SELECT json_agg(e)::text FROM "${schema}".conversation_events e) || (SELECT json_agg(c)::text FROM "${schema}".conversations c) AS text`,
      );
      const text = dump.rows[0]?.text ?? '';
      for (const clear of [CARD, IBAN, EMAIL]) expect(text, `${schema} holds ${clear}`).not.toContain(clear);
      expect(text).toContain('[card ••••1111]');
      expect(text).toContain('[iban ••••3000]');
      expect(text).toContain('[email]');
    }
    const message = await pool.query<{ last_message: string }>(`SELECT last_message FROM "${live}".conversations`);
    expect(message.rows[0]?.last_message).toBe('Refund the double charge on card [card ••••1111] to [iban ••••3000], and write to [email]');
    expect(compareChecksums(await readModelChecksums(pool, live), await readModelChecksums(pool, rebuilt)).equal).toBe(true);
  });
});
