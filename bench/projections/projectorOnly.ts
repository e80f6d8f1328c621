// The projector alone, with no Kafka: the same scripted log as bench:projections, laid out on topics
// and partitions, applied batch by batch (BENCH_BATCH events per partition batch, BENCH_CONCURRENCY
// partitions at once) into a fresh schema. Says what the PostgreSQL writes cost by themselves, so a
// rebuild's time can be split between Kafka (fetch, decode) and the writes.
// Usage: npx tsx --conditions=source bench/projections/projectorOnly.ts
import { createPool } from '@supportstream/db';
import { topicOf, type SupportEvent } from '@supportstream/events';
import { createProjector, dropReadModel, ensureReadModel, readModelChecksums, type PartitionBatch, type ProjectedEvent } from '@supportstream/projections';
import { scriptedConversation } from '@supportstream/testing';
import { loadPlatformConfig } from '@supportstream/config';
import { cpuMeter, withCpuProfile } from './cpu.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 6);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 1_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 3);
const PROFILE = process.env['BENCH_CPU_PROFILE'];
const config = loadPlatformConfig();
const pool = createPool(config.DATABASE_URL, { max: CONCURRENCY + 2, applicationName: 'bench-projector-only' });
const run = Date.now().toString(36);
const schema = `bench_projector_${run}`;
const paths = ['resolved', 'approved', 'rejected'] as const;

const hash = (text: string): number => {
  let value = 0;
  for (let index = 0; index < text.length; index += 1) value = (value * 31 + text.charCodeAt(index)) | 0;
  return Math.abs(value);
};

const log = new Map<string, ProjectedEvent[]>();
let produced = 0;
for (let conversation = 0; produced < EVENTS; conversation += 1) {
  const conversationId = `bench-${run}-${conversation}`;
  const events: SupportEvent[] = scriptedConversation({ conversationId, tenantId: `tenant-${conversation % 200}`, path: paths[conversation % 3] ?? 'resolved', startedAt: new Date(Date.UTC(2026, 0, 1) + conversation * 1_000) });
  for (const event of events) {
    const topic = topicOf(event.type);
    const partition = hash(conversationId) % PARTITIONS;
    const records = log.get(`${topic}:${partition}`) ?? [];
    records.push({ event, topic, partition, offset: String(records.length), schemaId: 1 });
    log.set(`${topic}:${partition}`, records);
  }
  produced += events.length;
}
const batches = [...log.values()].map((records) =>
  Array.from({ length: Math.ceil(records.length / BATCH) }, (_, index): PartitionBatch => {
    const slice = records.slice(index * BATCH, (index + 1) * BATCH);
    return { topic: slice[0]?.topic ?? '', partition: slice[0]?.partition ?? 0, records: slice, lastOffset: slice.at(-1)?.offset ?? '0' };
  }),
);

await ensureReadModel(pool, schema);
const projector = createProjector({ pool, schema });
const meter = cpuMeter();
const started = performance.now();
await withCpuProfile(PROFILE, async () => {
  // Each worker takes whole partitions (their batches in offset order), as a consumer would.
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let index = worker; index < batches.length; index += CONCURRENCY) {
        for (const batch of batches[index] ?? []) await projector.apply(batch);
      }
    }),
  );
});
const seconds = (performance.now() - started) / 1000;
const cpu = meter();
const rows = Object.fromEntries(Object.entries(await readModelChecksums(pool, schema)).map(([table, sum]) => [table, sum.rows]));
console.log(JSON.stringify({ events: produced, batch: BATCH, concurrency: CONCURRENCY, seconds: Math.round(seconds * 100) / 100, eventsPerSecond: Math.round(produced / seconds), cpuSeconds: cpu, rows }));
await dropReadModel(pool, schema);
await pool.end();
