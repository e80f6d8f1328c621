import { createPool, type Pool } from '@supportstream/db';
import { testDatabaseUrl } from '@supportstream/db/testing';
import { topicOf, type SupportEvent } from '@supportstream/events';
import { scriptedConversation, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulkProjector } from './bulkProjector.js';
import { compareChecksums, readModelChecksums } from './checksum.js';
import { copyJson, copyLines, copyText, createCopyBuffer } from './copyRows.js';
import { createProjector, type PartitionBatch, type ProjectedEvent } from './projector.js';
import { dropReadModel, ensureReadModel } from './schema.js';

let pool: Pool;
const schemas: string[] = [];
const schemaName = (label: string) => {
  const name = uniqueName(label).replace(/[^a-z0-9_]/g, '_');
  schemas.push(name);
  return name;
};

beforeAll(() => {
  pool = createPool(testDatabaseUrl(), { max: 4, applicationName: 'projections-bulk-test' });
});
afterAll(async () => {
  for (const schema of schemas) await dropReadModel(pool, schema);
  await pool.end();
});

/** Whole conversations laid out on topics and 2 partitions, in batches of `size` per partition, as a consumer would hand them over. */
function batchesOf(events: readonly SupportEvent[], size: number): PartitionBatch[] {
  const log = new Map<string, ProjectedEvent[]>();
  for (const event of events) {
    const topic = topicOf(event.type);
    const partition = event.metadata.conversationId.length % 2;
    const records = log.get(`${topic}:${partition}`) ?? [];
    records.push({ event, topic, partition, offset: String(records.length), schemaId: 1 });
    log.set(`${topic}:${partition}`, records);
  }
  return [...log.values()].flatMap((records) =>
    Array.from({ length: Math.ceil(records.length / size) }, (_, index) => {
      const slice = records.slice(index * size, (index + 1) * size);
      return { topic: slice[0]?.topic ?? '', partition: slice[0]?.partition ?? 0, records: slice, lastOffset: slice.at(-1)?.offset ?? '0' };
    }),
  );
}

describe('bulk projector (rebuild)', () => {
  it('copies text with tabs, newlines, backslashes and nulls unchanged', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TEMP TABLE copied (id integer, value text, doc jsonb)');
      const values = ['plain', 'tab\there', 'line\nbreak\r\nend', 'back\\slash \\N \\t', '', 'üñíçødé ✓'];
      const lines = createCopyBuffer();
      values.forEach((value, index) => lines.push([String(index), copyText(value), copyJson(JSON.stringify({ value }))].join('\t')));
      lines.push(['99', copyText(null), copyText(null)].join('\t'));
      expect(lines.rows).toBe(values.length + 1);
      expect(await copyLines(client, 'COPY copied (id, value, doc) FROM STDIN', lines.take())).toBe(values.length + 1);
      expect(lines.rows).toBe(0);
      const rows = await client.query<{ id: number; value: string | null; doc: { value: string } | null }>('SELECT id, value, doc FROM copied ORDER BY id');
      expect(rows.rows).toEqual([...values.map((value, id) => ({ id, value, doc: { value } })), { id: 99, value: null, doc: null }]);
      // A bad line fails the statement (and leaves the client usable).
      await expect(copyLines(client, 'COPY copied (id, value, doc) FROM STDIN', [Buffer.from('not-a-number\tx\t{}\n')])).rejects.toThrow(/integer/);
      expect((await client.query('SELECT count(*)::int AS count FROM copied')).rows[0]).toEqual({ count: values.length + 1 });
    } finally {
      client.release();
    }
  });

  it('ends with the same tables, rows and indexes as the live projector, duplicates and redeliveries included', async () => {
    const paths = ['resolved', 'approved', 'rejected'] as const;
    const events = Array.from({ length: 12 }, (_, index) =>
      scriptedConversation({
        conversationId: `bulk-conv-${index}`,
        tenantId: `bulk-tenant-${index % 3}`,
        path: paths[index % 3] ?? 'resolved',
        startedAt: new Date(Date.UTC(2026, 3, 1, 9, 0, index)),
        message: `line one\n\ttabbed \\ backslash ${index}`,
      }),
    ).flat();
    // A re-emitted event (same id at a later offset) and a batch delivered twice.
    const batches = batchesOf([...events, events[3] as SupportEvent], 7);
    batches.splice(2, 0, batches[1] as PartitionBatch);

    const liveSchema = schemaName('bulk_live');
    await ensureReadModel(pool, liveSchema);
    const live = createProjector({ pool, schema: liveSchema });
    for (const batch of batches) await live.apply(batch);

    const bulkSchema = schemaName('bulk_rebuilt');
    await ensureReadModel(pool, bulkSchema, { deferIndexes: true });
    const bulk = createBulkProjector({ pool, schema: bulkSchema, copyRows: 10 });
    const results = [];
    for (const batch of batches) results.push(await bulk.apply(batch));
    await bulk.finish();

    expect(results.reduce((sum, result) => sum + result.applied, 0)).toBe(events.length);
    expect(results.reduce((sum, result) => sum + result.duplicates, 0)).toBe(1);
    expect(results[2]?.alreadyProjected).toBe(batches[2]?.records.length);
    const comparison = compareChecksums(await readModelChecksums(pool, liveSchema), await readModelChecksums(pool, bulkSchema));
    expect(comparison.tables.filter((table) => !table.equal)).toEqual([]);
    expect(comparison.tables.find((table) => table.table === 'conversation_events')?.rebuilt.rows).toBe(events.length);

    const indexes = async (schema: string) =>
      (await pool.query<{ indexname: string; indexdef: string }>('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', [schema])).rows.map((row) => ({
        ...row,
        indexdef: row.indexdef.replaceAll(schema, 'S'),
      }));
    expect(await indexes(bulkSchema)).toEqual(await indexes(liveSchema));
    await expect(bulk.apply(batches[0] as PartitionBatch)).rejects.toThrow(/finished/);
  });
});
