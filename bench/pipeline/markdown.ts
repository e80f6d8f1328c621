/**
 * bench/PIPELINE_RESULTS.md from a recorded bench/results/pipeline-*.json. conversations.ts calls
 * it after a run; `npx tsx bench/pipeline/markdown.ts [file.json]` regenerates it from a record
 * (the newest pipeline-*.json by default).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineRecord } from './record.js';
import type { Latency } from './shared.js';

const NODES = ['moderate', 'triage', 'research', 'solution', 'quality', 'respond'];

const fmt = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits).replace(/\.0+$/, ''));
const cell = (d: Latency | undefined) => (d ? `${d.p50} / ${d.p99}` : '–');
const verdict = (value: number | null, target: number, atMost: boolean) => (value === null ? '–' : (atMost ? value <= target : value >= target) ? 'met' : 'not met');

export function renderPipelineResults(record: PipelineRecord): string {
  const { settings, inProcess, distributed, paced, costPerConversation: cost, langgraphFloor: floor } = record;
  const target = (label: string, value: number | null, limit: number, atMost: boolean, unit = '') =>
    `| ${label} | ${fmt(value)}${unit} | ${atMost ? '≤' : '≥'} ${limit}${unit} | ${verdict(value, limit, atMost)} |`;
  const idle = record.costTotals.idleCpuMsPerSecond ?? {};
  const processRows = Object.entries(cost.cpuMsByProcess)
    .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
    .map(([name, ms]) => `| ${name}${name === 'driver' ? ' (bench: publishes, observes every event; not in the total)' : ''} | ${fmt(ms)} | ${fmt(idle[name])} |`);
  const redisRows = Object.entries(cost.redisCommandsByCommand)
    .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
    .map(([name, calls]) => `${name} ${fmt(calls, 2)}`)
    .join(', ');
  const row = (node: string) => `| ${node} | ${cell(inProcess.stepMs[node])} | ${cell(distributed.stepMs[node])} | ${cell(paced.stepMs[node])} |`;
  const costs = record.costTotals;
  return `# Pipeline benchmark

Recorded ${record.recordedAt} at commit \`${record.commit.sha.slice(0, 12)}\`${record.commit.dirty ? ` (with uncommitted changes${record.commit.dirtyOutsideBench ? '' : ', in bench/ only'})` : ''} on ${record.machine.cpus} cores, ${record.machine.memoryGiB} GiB, Node ${record.machine.node}.
Reproduce: \`${record.command}\` (starts the stack if needed; see bench/README.md). The run took ${Math.round(record.runSeconds)} s.
Load average before the run: ${record.machine.loadAverageBefore.join(' ')}; other processes used ${fmt(costs.cpu.otherMs / 1000)} s of CPU
during the ${fmt(costs.cpu.seconds)} s burst window (machine busy ${fmt(costs.cpu.machineBusyMs / 1000)} s of ${fmt(costs.cpu.seconds * record.machine.cpus)} s, ${fmt(costs.cpu.machineStealMs / 1000)} s stolen by the hypervisor).

How-to questions that resolve without approval, offline model provider.
**In one process**: ${settings.inProcessConversations} conversations, the same graph, node implementations and PostgreSQL
checkpointer, ${settings.inProcessConcurrency} conversations at a time; one process hosts every node, so a run's steps follow each other under one lock (one invoke and one checkpoint per step),
no Kafka. **Distributed**: a burst of ${settings.conversations}, the six services as separate processes; every request published at once to
customer.requests, every step handed over through agent.actions. **Paced**: then ${paced.ratePerSecond}/s (half the
burst's rate, rounded) for ${paced.publishSeconds} s.

## Cost per conversation (distributed burst) against issue 9's targets

| figure | measured | target | |
|---|---:|---:|---|
${target('CPU, all platform processes (ms)', cost.cpuMs, 40, true)}
${target('PostgreSQL transactions', cost.pgTransactions, 15, true)}
${target('PostgreSQL rows written', cost.pgRowsWritten, 40, true)}
${target('Redis commands', cost.redisCommands, 15, true)}
${target('conversations/s, burst', distributed.conversationsPerSecond, 50, false)}
${target('distributed ÷ in-process CPU', record.distributedToInProcessCpu, 1.3, true, '×')}
${target('paced p99 end to end (ms)', paced.endToEndMs.p99, 150, true)}

Also per conversation: ${fmt(cost.kafkaRecordsProduced)} Kafka records produced (every platform topic and DLQ, the
request included) and ${fmt(cost.kafkaRecordsConsumed)} consumed by the six services' groups; PostgreSQL
${fmt(cost.pgRowsInserted)} rows inserted, ${fmt(cost.pgRowsUpdated)} updated, ${fmt(cost.pgRowsDeleted)} deleted,
${fmt(cost.pgTuplesReturned, 0)} tuples returned and ${fmt(cost.pgTuplesFetched, 0)} fetched. Redis by command: ${redisRows}.

CPU per conversation by process group (ms; /proc utime+stime of each process and its descendants,
PostgreSQL's exited backends through the postmaster's cutime+cstime), and what each used per second
while idle just before the burst (heartbeats, timers; included in the figures):

| process | ms / conversation | idle ms/s |
|---|---:|---:|
${processRows.join('\n')}
| **platform total** | **${fmt(cost.cpuMs)}** | |

Less the idle rate over the burst's ${fmt(costs.cpu.seconds)} s, the platform total would be about ${fmt(cost.cpuMsAboveIdle)} ms.
PostgreSQL statistics ${costs.pgSettle.settled ? `settled ${fmt(costs.pgSettle.waitedMs / 1000)} s after the burst` : `had not settled ${fmt(costs.pgSettle.waitedMs / 1000)} s after the burst (the figures may be low)`}.

## Throughput and latency

| | conversations/s | CPU ms / conversation | end to end p50 / p90 / p99 (ms) |
|---|---:|---:|---|
| in one process, ${settings.inProcessConversations}, ${settings.inProcessConcurrency} at a time | ${inProcess.conversationsPerSecond} | ${fmt(inProcess.cpuMsPerConversation)} (driver + PostgreSQL + Redis) | ${inProcess.endToEndMs.p50} / ${inProcess.endToEndMs.p90} / ${inProcess.endToEndMs.p99} |
| distributed, burst of ${settings.conversations} | ${distributed.conversationsPerSecond} | ${fmt(cost.cpuMs)} | ${distributed.endToEndMs.p50} / ${distributed.endToEndMs.p90} / ${distributed.endToEndMs.p99} (includes queueing) |
| distributed, paced at ${paced.ratePerSecond}/s for ${paced.publishSeconds} s | – | – | ${paced.endToEndMs.p50} / ${paced.endToEndMs.p90} / ${paced.endToEndMs.p99} |

In one process, per conversation: ${fmt(inProcess.cost.pgTransactions)} PostgreSQL transactions, ${fmt(inProcess.cost.pgRowsWritten)} rows written,
${fmt(inProcess.cost.redisCommands)} Redis commands.

Step duration inside the node (p50 / p99 ms; the distributed figures come from StepMetrics):

| step | in one process | distributed, burst | distributed, paced |
|---|---|---|---|
${NODES.map(row).join('\n')}

## The LangGraph floor

A bare linear LangGraph of ${floor.nodes} nodes with a small state, interruptBefore on every node (one invoke to start and one
per step, ${floor.invokesPerRun} in all, as the step runner does), ${floor.memory.runs} sequential runs in one process (one core):

| checkpointer | runs/s | CPU ms / run (this process) | PostgreSQL per run |
|---|---:|---:|---|
| MemorySaver | ${floor.memoryRunsPerSecond} | ${fmt(floor.memory.cpuMsPerRun)} | – |
| PostgresSaver (@langchain/langgraph-checkpoint-postgres) | ${floor.postgresRunsPerSecond} | ${fmt(floor.postgres.cpuMsPerRun)} | ${fmt(floor.postgres.postgresCpuMsPerRun)} ms CPU, ${fmt(floor.postgres.pgTransactionsPerRun)} transactions, ${fmt(floor.postgres.pgRowsWrittenPerRun)} rows written |${floor.batched ? `\n| BatchedPostgresSaver (the platform's), durability "exit" as the step runner invokes | ${floor.batchedRunsPerSecond} | ${fmt(floor.batched.cpuMsPerRun)} | ${fmt(floor.batched.postgresCpuMsPerRun)} ms CPU, ${fmt(floor.batched.pgTransactionsPerRun)} transactions, ${fmt(floor.batched.pgRowsWrittenPerRun)} rows written |` : ''}

In the burst, all ${settings.conversations} requests arrive at once and every conversation's steps interleave, so
its end-to-end figures are mostly queueing; the paced run shows one conversation's latency through
six services and Kafka hand-offs. Everything shares the same ${record.machine.cpus} cores with Kafka, PostgreSQL, Redis and
the registry, and with whatever else ran on the machine: wall-clock rates are noisy there, CPU per
conversation is the robust figure, though CPU time per unit of work also grows when both cores are
busy (shared caches, the hypervisor): compare runs at a similar load.${record.warnings.length > 0 ? `\n\nWarnings: ${record.warnings.join('; ')}.` : ''}
`;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function writePipelineResults(record: PipelineRecord): void {
  writeFileSync(join(ROOT, 'bench/PIPELINE_RESULTS.md'), renderPipelineResults(record));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = join(ROOT, 'bench/results');
  const file = process.argv[2] ?? join(dir, readdirSync(dir).filter((name) => /^pipeline-.*\.json$/.test(name)).sort().at(-1) ?? '');
  writePipelineResults(JSON.parse(readFileSync(file, 'utf8')) as PipelineRecord);
  console.log(`bench/PIPELINE_RESULTS.md written from ${file}`);
}
