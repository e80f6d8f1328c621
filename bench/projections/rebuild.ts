// Projection benchmark: a log of at least BENCH_EVENTS events (scripted conversations over the five
// topics, 6 partitions each, on bench-only topics) is projected by the live consumer, then rebuilt
// from offset 0 into a fresh schema and compared with it table by table. Bounded in count and time.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool } from '@supportstream/db';
import { createEventCodec, topicOf, TOPIC_NAMES, type SupportEvent } from '@supportstream/events';
import { createEventProducer, createKafka } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry } from '@supportstream/observability';
import { createProjectionConsumer, createProjector, dropReadModel, ensureReadModel, rebuildReadModel, type RebuildProgress } from '@supportstream/projections';
import { scriptedConversation } from '@supportstream/testing';
import { loadPlatformConfig } from '@supportstream/config';
import { benchCommit } from '../runtime/commit.js';
import { round } from '../runtime/stats.js';
import { cpuMeter, withCpuProfile, type CpuSeconds } from './cpu.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 6);
const TIMEOUT_MS = Number(process.env['BENCH_TIMEOUT_MS'] ?? 900_000);
/** Threads of the rebuild folding disjoint partitions (`projections rebuild --shards`; default: the cores). */
const SHARDS = Number(process.env['BENCH_REBUILD_SHARDS'] ?? availableParallelism());
/** A directory: write a V8 CPU profile of this process during the rebuild there. */
const PROFILE_DIR = process.env['BENCH_CPU_PROFILE_DIR'];
const config = loadPlatformConfig();
const logger = createLogger({ service: 'bench', level: 'warn' });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'bench-projections', logger });
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const pool = createPool(config.DATABASE_URL, { max: 8, applicationName: 'bench-projections' });
const run = Date.now().toString(36);
const prefix = `bench.projections.${run}`;
const topics = TOPIC_NAMES.map((topic) => `${prefix}.${topic}`);
const liveSchema = `bench_live_${run}`;
const rebuildSchema = `bench_rebuild_${run}`;
const paths = ['resolved', 'approved', 'rejected'] as const;

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })) });

// The log: whole conversations for 200 tenants, produced in batches.
const producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: (event: SupportEvent) => `${prefix}.${topicOf(event.type)}` });
await producer.connect();
let produced = 0;
let conversations = 0;
const produceStarted = performance.now();
while (produced < EVENTS) {
  const batch: SupportEvent[] = [];
  for (let index = 0; index < 100; index += 1, conversations += 1) {
    batch.push(...scriptedConversation({ conversationId: `bench-${run}-${conversations}`, tenantId: `tenant-${conversations % 200}`, path: paths[conversations % 3] ?? 'resolved', startedAt: new Date(Date.UTC(2026, 0, 1) + conversations * 1_000) }));
  }
  await producer.publish(batch);
  produced += batch.length;
}
await producer.disconnect();
const produceSeconds = (performance.now() - produceStarted) / 1000;
console.log(`log: ${produced} events, ${conversations} conversations on ${topics.length} topics x ${PARTITIONS} partitions (produced in ${produceSeconds.toFixed(1)} s)`);

// Live: the projection consumer catching up on the whole log, as a new deployment would.
await ensureReadModel(pool, liveSchema);
let liveApplied = 0;
const liveCpu = cpuMeter();
const liveStarted = performance.now();
const live = createProjectionConsumer({
  kafka,
  codec,
  projector: createProjector({ pool, schema: liveSchema }),
  groupId: `${prefix}.live`,
  topics,
  logger,
  metrics: createMetricsRegistry({}, false),
  deadLetter: false,
  onApplied: (result) => {
    liveApplied += result.applied + result.duplicates;
  },
});
await live.start();
while (liveApplied < produced && performance.now() - liveStarted < TIMEOUT_MS) await new Promise((resolveWait) => setTimeout(resolveWait, 200));
const liveSeconds = (performance.now() - liveStarted) / 1000;
const liveCpuSeconds = liveCpu();
console.log(`live catch-up: ${liveApplied} events in ${liveSeconds.toFixed(1)} s = ${Math.round(liveApplied / liveSeconds)} events/s; CPU s ${JSON.stringify(liveCpuSeconds)}`);

// Rebuild from offset 0 into a fresh schema, then the comparison with the live one.
let last: RebuildProgress | undefined;
let rebuildCpuSeconds: CpuSeconds | undefined;
const rebuildCpu = cpuMeter();
const profilePath = PROFILE_DIR === undefined ? undefined : join(PROFILE_DIR, `rebuild-${run}.cpuprofile`);
const report = await withCpuProfile(profilePath, () => rebuildReadModel({
  kafka,
  codec,
  pool,
  logger,
  topics,
  targetSchema: rebuildSchema,
  liveSchema,
  shards: SHARDS,
  connection: { kafkaBrokers: config.KAFKA_BROKERS, schemaRegistryUrl: config.SCHEMA_REGISTRY_URL, databaseUrl: config.DATABASE_URL },
  progressIntervalMs: 250,
  onProgress: (progress) => {
    // The replay alone is the rebuild's cost; the catch-up phase only waits and checksums.
    if (progress.phase === 'catch-up') rebuildCpuSeconds ??= rebuildCpu();
    if (progress.phase !== last?.phase || Math.floor(progress.elapsedSeconds / 5) !== Math.floor(last.elapsedSeconds / 5)) {
      console.log(`  ${progress.phase}: ${progress.messages} events, ${Math.round(progress.eventsPerSecond)} events/s, ${progress.remaining} remaining`);
    }
    last = progress;
  },
}));
rebuildCpuSeconds ??= rebuildCpu();
if (profilePath !== undefined) console.log(`rebuild CPU profile: ${profilePath}`);
console.log(`rebuild: ${report.replay.messages} events replayed in ${report.replay.seconds.toFixed(1)} s = ${Math.round(report.replay.eventsPerSecond)} events/s; with the comparison ${report.seconds.toFixed(1)} s; equal to live: ${report.comparison?.equal}; CPU s ${JSON.stringify(rebuildCpuSeconds)}`);
await live.stop();

const rows = Object.fromEntries(Object.entries(report.checksums).map(([table, sum]) => [table, sum.rows]));
const recordedAt = new Date().toISOString();
const command = `BENCH_EVENTS=${EVENTS} BENCH_PARTITIONS=${PARTITIONS} BENCH_REBUILD_SHARDS=${SHARDS} npm run bench:projections`;
const commit = benchCommit(ROOT);
const result = {
  recordedAt,
  commit,
  command,
  machine: { cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
  log: { events: produced, conversations, topics: topics.length, partitionsPerTopic: PARTITIONS, produceSeconds: round(produceSeconds, 1) },
  live: { events: liveApplied, seconds: round(liveSeconds, 1), eventsPerSecond: Math.round(liveApplied / liveSeconds), cpuSeconds: liveCpuSeconds },
  rebuild: {
    shards: SHARDS,
    events: report.replay.messages,
    seconds: round(report.replay.seconds, 1),
    eventsPerSecond: Math.round(report.replay.eventsPerSecond),
    withComparisonSeconds: round(report.seconds, 1),
    cpuSeconds: rebuildCpuSeconds,
    lastProgress: last,
  },
  equal: report.comparison?.equal ?? false,
  rows,
};
await mkdir(join(ROOT, 'bench/results'), { recursive: true });
await writeFile(join(ROOT, 'bench/results', `projections-${recordedAt.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);
// Notes written by hand below the generated part (from the first "## Notes" heading) are kept.
const previous = await readFile(join(ROOT, 'bench/PROJECTIONS_RESULTS.md'), 'utf8').catch(() => '');
const notesAt = previous.indexOf('\n## Notes');
const notes = notesAt === -1 ? '' : previous.slice(notesAt);
await writeFile(
  join(ROOT, 'bench/PROJECTIONS_RESULTS.md'),
  `# Projection benchmark

Recorded ${recordedAt} at commit \`${commit.sha}${commit.dirtyOutsideBench ? ' (with uncommitted changes)' : ''}\` on ${result.machine.cpus} cores, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}.
Reproduce: \`${command}\` (starts the stack if needed; see bench/README.md).

The log: ${produced.toLocaleString('en')} events, whole scripted conversations (request, every step, metrics,
LLM usage, approvals for two in three, run end, reply, outcome) of ${conversations.toLocaleString('en')} conversations
and 200 tenants, on the five topics with ${PARTITIONS} partitions each (bench-only topics). Every read-model
table is written: timeline, conversations, approvals, per-agent, per-tenant and cost statistics.

| | events | seconds | events/s |
|---|---:|---:|---:|
| live projection catching up from offset 0 | ${liveApplied.toLocaleString('en')} | ${result.live.seconds} | ${result.live.eventsPerSecond.toLocaleString('en')} |
| rebuild from offset 0 into a fresh schema (\`projections rebuild --shards ${SHARDS}\`) | ${report.replay.messages.toLocaleString('en')} | ${result.rebuild.seconds} | ${result.rebuild.eventsPerSecond.toLocaleString('en')} |
| rebuild + proof of equality (wait for the live offsets, one snapshot, checksums of both schemas) | ${report.messages.toLocaleString('en')} | ${result.rebuild.withComparisonSeconds} | – |

The rebuild's checksums equal the live read model's, table by table: **${result.equal}**
(rows: ${Object.entries(rows).map(([table, count]) => `${table} ${count.toLocaleString('en')}`).join(', ')}).
Live: one transaction per partition batch. Rebuild: ${SHARDS} shard(s), each a consumer (the main thread
and worker threads) holding co-located partitions of every topic, folded in memory, events copied (COPY)
into a timeline without indexes, the other tables written once (counters added) and the indexes built
at the end. Kafka,
PostgreSQL, the registry and the projector share the same ${result.machine.cpus} cores.

CPU seconds by process group (from /proc; \`BENCH_CPU_PROFILE_DIR=dir\` also writes a V8 profile of the
rebuild, summarised by \`npx tsx bench/projections/profileTop.ts <file>\`):

| | projector (Node) | PostgreSQL | Kafka | registry |
|---|---:|---:|---:|---:|
${(['live', 'rebuild'] as const)
  .map((phase) => {
    const cpu = phase === 'live' ? liveCpuSeconds : rebuildCpuSeconds;
    return `| ${phase} | ${cpu?.projector ?? '–'} | ${cpu?.postgres ?? '–'} | ${cpu?.kafka ?? '–'} | ${cpu?.registry ?? '–'} |`;
  })
  .join('\n')}
${notes}`,
);

await dropReadModel(pool, liveSchema);
await dropReadModel(pool, rebuildSchema);
await admin.deleteTopics({ topics });
await admin.disconnect();
await pool.end();
process.exit(result.equal ? 0 : 1);
