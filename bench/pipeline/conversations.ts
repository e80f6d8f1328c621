// Pipeline benchmark: conversations per second end to end with the offline provider, what one
// conversation costs (CPU per process, PostgreSQL transactions and rows, Redis commands, Kafka
// records), and p50/p90/p99 per step and end to end, for (a) the same graph, nodes and PostgreSQL
// checkpointer in one process, (b) the six agent services as separate processes over Kafka (a
// burst, then a paced run at half its rate), and (c) a bare LangGraph of six nodes, the floor.
// Bounded in count and time. Writes bench/results/pipeline-*.json and bench/PIPELINE_RESULTS.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafka } from '@supportstream/kafka';
import { createLogger } from '@supportstream/observability';
import { loadAgentServiceEnv } from '@supportstream/platform';
import { AGENT_SERVICES } from '@supportstream/testing';
import { benchCommit } from '../runtime/commit.js';
import { round } from '../runtime/stats.js';
import { halfCapacityRate, ratio } from './costArithmetic.js';
import { costPerConversation, createPhaseMeter } from './costMeter.js';
import { createKafkaSampler, createRedisSampler } from './brokerSamplers.js';
import { clockTicksPerSecond, findStackProcesses, loadAverage } from './cpuSampler.js';
import { distributed } from './distributed.js';
import { inProcess } from './inProcess.js';
import { langgraphFloor } from './langgraphFloor.js';
import { writePipelineResults } from './markdown.js';
import { createPgSampler } from './pgSampler.js';
import type { PipelineRecord } from './record.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got ${process.env[name]})`);
  return value;
};
const CONVERSATIONS = setting('BENCH_CONVERSATIONS', 1_000);
const CONCURRENCY = setting('BENCH_INPROCESS_CONCURRENCY', 6);
// Fewer than the burst by default: its figure is CPU per conversation, which 300 measure as well as 1,000.
const IN_PROCESS_CONVERSATIONS = setting('BENCH_INPROCESS_CONVERSATIONS', Math.min(CONVERSATIONS, 300));
const TIMEOUT_MS = setting('BENCH_TIMEOUT_MS', 600_000);
const PACED_RATE = process.env['BENCH_PACED_RATE'] === undefined ? undefined : setting('BENCH_PACED_RATE', 1);
const PACED_SECONDS = setting('BENCH_PACED_SECONDS', 30);
const FLOOR_RUNS = setting('BENCH_FLOOR_RUNS', 300);
const PG_QUIET_MS = setting('BENCH_PG_QUIET_MS', 11_000);
// Processes of each agent service (in shared consumer groups): the capacity model's replica run.
const REPLICAS = setting('BENCH_REPLICAS', 1);
// Where deploy/local writes its pid files; the /proc scan finds the stack without them.
const RUN_DIRS = [process.env['BENCH_STACK_RUN_DIR'], join(ROOT, '.local/run')].filter((dir): dir is string => !!dir);

const runStarted = performance.now();
const loadBefore = loadAverage();
const env = loadAgentServiceEnv();
const logger = createLogger({ service: 'bench', level: 'warn' });
const warnings: string[] = [];

const commit = benchCommit(ROOT);

const stack = findStackProcesses(RUN_DIRS, new URL(env.REDIS_URL).port || '6379');
if (stack.missing.length > 0) warnings.push(`stack processes not found, their CPU is not counted: ${stack.missing.join(', ')}`);
const servicePids: Record<string, number> = {};
const pg = createPgSampler(env.DATABASE_URL);
const redis = createRedisSampler(env.REDIS_URL);
const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'bench-pipeline', logger });
const kafkaSampler = createKafkaSampler(kafka, AGENT_SERVICES.map((service) => `supportstream-${service}`));
const pgPerRead = await pg.calibrate();

// (a) in one process: the driver's own CPU plus PostgreSQL's and Redis's.
const inProcessMeter = createPhaseMeter({
  roots: () => Object.fromEntries(Object.entries(stack.roots).filter(([name]) => name === 'postgres' || name === 'redis')),
  pg,
  redis,
  excludeFromCpu: [],
});
const inProcessRun = await inProcess({ env, logger, conversations: IN_PROCESS_CONVERSATIONS, concurrency: CONCURRENCY, timeoutMs: TIMEOUT_MS, meter: inProcessMeter });
console.log(`in-process: ${inProcessRun.result.conversationsPerSecond} conversations/s, ${inProcessRun.cost.cpuMs} ms CPU in all`);

// (b) distributed: every platform process, the driver reported beside them.
const distributedMeter = createPhaseMeter({ roots: () => ({ ...servicePids, ...stack.roots }), pg, redis, kafka: kafkaSampler });
const run = await distributed({
  env,
  kafka,
  logger,
  conversations: CONVERSATIONS,
  timeoutMs: TIMEOUT_MS,
  pacedRate: (burstRate) => PACED_RATE ?? halfCapacityRate(burstRate),
  pacedSeconds: PACED_SECONDS,
  meter: distributedMeter,
  onServicesStarted: (pids) => Object.assign(servicePids, pids),
  pgQuietMs: PG_QUIET_MS,
  replicas: REPLICAS,
});
console.log(`distributed: ${run.burst.conversationsPerSecond} conversations/s (burst); paced at ${run.paced.ratePerSecond}/s: e2e p99 ${run.paced.endToEndMs.p99} ms`);

// (c) the LangGraph floor.
const floor = await langgraphFloor({ runs: FLOOR_RUNS, databaseUrl: env.DATABASE_URL, postgresPid: stack.roots['postgres'], pgSampler: pg });
console.log(`langgraph floor: ${floor.memoryRunsPerSecond} runs/s (MemorySaver), ${floor.postgresRunsPerSecond} runs/s (PostgresSaver), ${floor.batchedRunsPerSecond} runs/s (BatchedPostgresSaver, durability exit)`);
await kafkaSampler.close();
await redis.close();

const perConversation = costPerConversation(run.burstCost, run.burst.completed);
const inProcessCost = costPerConversation(inProcessRun.cost, inProcessRun.result.completed, []);
for (const [label, mode] of [['in-process', inProcessRun.result], ['burst', run.burst], ['paced', run.paced]] as const) {
  if (mode.completed < mode.conversations) warnings.push(`${label}: only ${mode.completed} of ${mode.conversations} conversations completed`);
}
if (!run.burstCost.pgSettle.settled) warnings.push('PostgreSQL statistics had not settled after the burst; its PostgreSQL figures may be low');
if (run.burstCost.cpu.lost.length > 0) warnings.push(`processes gone during the burst, CPU not counted: ${run.burstCost.cpu.lost.join(', ')}`);

// The platform's own connections, the bench's and the samplers' (no name): anything else is someone else's work.
const ours = (name: string) => name === '' || name.startsWith('bench-') || AGENT_SERVICES.some((service) => name === service || name.startsWith(`${service}-`));
for (const [label, cost] of [['in-process', inProcessRun.cost], ['burst', run.burstCost]] as const) {
  const foreign = Object.keys(cost.pgClientsSeen).filter((name) => !ours(name));
  if (foreign.length > 0) warnings.push(`${label}: other PostgreSQL clients were connected around the phase (${foreign.join(', ')}); its PostgreSQL figures may include their work`);
}

const recordedAt = new Date().toISOString();
const settingsLine = `BENCH_CONVERSATIONS=${CONVERSATIONS} BENCH_INPROCESS_CONVERSATIONS=${IN_PROCESS_CONVERSATIONS} BENCH_INPROCESS_CONCURRENCY=${CONCURRENCY}${PACED_RATE === undefined ? '' : ` BENCH_PACED_RATE=${PACED_RATE}`} BENCH_PACED_SECONDS=${PACED_SECONDS} BENCH_FLOOR_RUNS=${FLOOR_RUNS}${REPLICAS > 1 ? ` BENCH_REPLICAS=${REPLICAS}` : ''}`;
const record: PipelineRecord = {
  recordVersion: 2,
  recordedAt,
  command: `${settingsLine} npm run bench:pipeline`,
  commit,
  runSeconds: round((performance.now() - runStarted) / 1000, 1),
  machine: { cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverageBefore: loadBefore, clockTicksPerSecond: clockTicksPerSecond() },
  provider: 'offline (no simulated latency)',
  settings: { conversations: CONVERSATIONS, replicas: REPLICAS, inProcessConversations: IN_PROCESS_CONVERSATIONS, inProcessConcurrency: CONCURRENCY, pacedRate: run.paced.ratePerSecond, pacedSeconds: PACED_SECONDS, floorRuns: FLOOR_RUNS, pgQuietMs: PG_QUIET_MS, timeoutMs: TIMEOUT_MS },
  inProcess: { ...inProcessRun.result, concurrency: CONCURRENCY, cpuMsPerConversation: inProcessCost.cpuMs, cost: inProcessCost },
  distributed: run.burst,
  paced: run.paced,
  costPerConversation: perConversation,
  costTotals: run.burstCost,
  inProcessCostTotals: inProcessRun.cost,
  distributedToInProcessCpu: ratio(perConversation.cpuMs, inProcessCost.cpuMs),
  langgraphFloor: floor,
  sampling: { processes: { ...servicePids, ...stack.roots }, missingProcesses: stack.missing, pgPerRead: { ...pgPerRead } },
  warnings,
};
const resultsDir = join(ROOT, 'bench/results');
await mkdir(resultsDir, { recursive: true });
const file = join(resultsDir, `pipeline-${recordedAt.replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
writePipelineResults(record);
console.log(
  `per conversation: ${perConversation.cpuMs} ms CPU, ${perConversation.pgTransactions} PostgreSQL transactions, ${perConversation.pgRowsWritten} rows written, ` +
    `${perConversation.redisCommands} Redis commands, ${perConversation.kafkaRecordsProduced} Kafka records produced, ${perConversation.kafkaRecordsConsumed} consumed`,
);
console.log(`written ${file} and bench/PIPELINE_RESULTS.md${warnings.length > 0 ? `; warnings: ${warnings.join('; ')}` : ''}`);
process.exit(0);
