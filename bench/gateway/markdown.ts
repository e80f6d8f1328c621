/** One recorded gateway benchmark run (bench/results/gateway-<UTC time>.json) and its results page. */
import type { BenchCommit } from '../runtime/commit.js';
import type { Distribution } from '../runtime/stats.js';
import type { RequestLoadRun } from './requestsLoad.js';
import type { StreamsResult } from './streams.js';

export interface GatewayRecord {
  readonly recordVersion: 1;
  readonly recordedAt: string;
  /** What reproduces it, from the repository root. */
  readonly command: string;
  readonly commit: BenchCommit;
  readonly runSeconds: number;
  readonly machine: { readonly cpus: number; readonly memoryGiB: number; readonly node: string; readonly loadAverageBefore: readonly number[]; readonly loadAverageAfter: readonly number[]; readonly openFilesLimit: number };
  readonly settings: Readonly<Record<string, unknown>>;
  readonly requests: { readonly warmupAccepted: number; readonly runs: readonly RequestLoadRun[] };
  /** Null when BENCH_PARTS left the streams out. */
  readonly streams: StreamsResult | null;
  readonly gatewayExitCode: number | null;
  readonly sampledProcesses: Readonly<Record<string, number>>;
}

const n = (value: number | null | undefined) => (value === null || value === undefined ? '–' : value.toLocaleString('en'));
const cpu = (percent: Readonly<Record<string, number>>, name: string) => n(percent[name]);
const dist = (value: Distribution) => `${n(value.p50)} / ${n(value.p99)} / ${n(value.max)}`;

function requestsSection(record: GatewayRecord): string {
  const s = record.settings;
  const lost = record.requests.runs.reduce((total, run) => total + run.lost, 0);
  const groups = ['gateway', 'driver', 'kafka', 'postgres', 'redis'];
  return `## POST /v1/requests

autocannon 9, closed loop, ${n(s['requestSeconds'] as number)} s per run after a ${n(s['requestWarmupSeconds'] as number)} s warm-up; one service API key (rate limit 10⁹/min) whose bodies cycle through
${n(s['requestCustomers'] as number)} customers. Each 202 means \`RequestReceived\` was acknowledged by Kafka (acks=all): the records on \`${String(s['namespace'])}.customer.requests\`
are counted before and after every run.

| connections | requests/s | p50 ms | p99 ms | max ms | 202 | non-2xx | errors | records on the topic | lost | CPU % gateway | autocannon | Kafka | PostgreSQL | Redis | others | gateway RSS MiB (peak) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${record.requests.runs
  .map(
    (run) =>
      `| ${run.connections} | ${n(run.requestsPerSecond)} | ${n(run.latencyMs.p50)} | ${n(run.latencyMs.p99)} | ${n(run.latencyMs.max)} | ${n(run.accepted)} | ${n(run.non2xx)} | ${n(run.errors)} | ${n(run.kafkaRecords)} | ${n(run.lost)} | ${groups.map((group) => cpu(run.cpuPercent, group)).join(' | ')} | ${n(run.othersPercent)} | ${n(run.gatewayRssMiB.peak)} |`,
  )
  .join('\n')}

Accepted requests without a record: **${lost}**. (Records beyond the 202s counted are requests in flight when autocannon stopped: answered after it stopped listening.)
CPU in % of one core over the run, the machine's ceiling is ${record.machine.cpus * 100} %; "others" is busy CPU of no sampled process (other work on a shared machine).

`;
}

function streamsSection(record: GatewayRecord, streams: StreamsResult): string {
  const s = record.settings;
  return `## ${n(streams.attempted)} concurrent SSE streams

\`GET /v1/conversations/:id/stream\` from a separate client process (node:http, one socket per stream): ${n(s['streamConversations'] as number)} conversations of
${n(s['streamTenants'] as number)} tenants, each watched ${n(s['streamsPerConversation'] as number)} times by its own customer (a customer JWT; \`GATEWAY_MAX_STREAMS_PER_CREDENTIAL=${n(s['maxStreamsPerCredential'] as number)}\`,
the default 5 would refuse the rest with 429), ${n(s['openConcurrency'] as number)} opens in flight at a time; held ${n(streams.holdSeconds)} s with heartbeats every
${n((s['heartbeatMs'] as number) / 1000)} s; then ${n(streams.fanout.changes)} changes (a follow-up \`RequestReceived\` produced to Kafka) at ${n(streams.fanout.changesPerSecond)}/s, each to a
different conversation, through the projections service (projector → NOTIFY → gateway → every stream of that conversation).

| | |
|---|---:|
| streams opened / attempted | ${n(streams.opened)} / ${n(streams.attempted)} |
| refused | ${Object.keys(streams.openFailures).length === 0 ? '0' : Object.entries(streams.openFailures).map(([reason, count]) => `${reason}: ${count}`).join(', ')} |
| open rate (streams/s) | ${n(streams.opensPerSecond)} (${n(streams.openSeconds)} s) |
| open latency p50 / p99 / max (ms, request → headers) | ${dist(streams.openLatencyMs)} |
| held after ${n(streams.holdSeconds)} s / dropped | ${n(streams.heldAfterHold)} / ${n(streams.droppedDuringHold)} |
| held at the end / dropped in all | ${n(streams.heldAtEnd)} / ${n(streams.droppedTotal)} |
| heartbeats per stream while held (min / p50 / max) | ${n(streams.heartbeatsPerStream.min)} / ${n(streams.heartbeatsPerStream.p50)} / ${n(streams.heartbeatsPerStream.max)} |
| gateway RSS before → after the opens (MiB) | ${n(streams.gateway.rssMiB.before)} → ${n(streams.gateway.rssMiB.afterOpen)} (peak while holding ${n(streams.gateway.rssMiB.peakHolding)}) |
| **RSS per stream** ((after − before) / opened) | **${n(streams.gateway.rssKiBPerStream)} KiB** |
| V8 heap used before → after (MiB); per stream | ${n(streams.gateway.heapUsedMiB.before)} → ${n(streams.gateway.heapUsedMiB.afterOpen)}; ${n(streams.gateway.heapKiBPerStream)} KiB |
| gateway CPU while only holding (% of one core) | ${cpu(streams.cpuPercent.holding, 'gateway')} (PostgreSQL ${cpu(streams.cpuPercent.holding, 'postgres')}, client ${cpu(streams.cpuPercent.holding, 'streamClient')}; others on the machine ${cpu(streams.cpuPercent.holding, 'others')}) |
| gateway CPU while opening | ${cpu(streams.cpuPercent.opening, 'gateway')} (PostgreSQL ${cpu(streams.cpuPercent.opening, 'postgres')}, Redis ${cpu(streams.cpuPercent.opening, 'redis')}, client ${cpu(streams.cpuPercent.opening, 'streamClient')}) |
| event-loop lag p99 while holding (ms) | ${n(streams.gateway.eventLoopLagP99MsHolding)} |
| fan-out deliveries / expected; changes not on every stream | ${n(streams.fanout.deliveries)} / ${n(streams.fanout.expectedDeliveries)}; ${n(streams.fanout.incompleteChanges)} |
| **fan-out latency p50 / p99 / max (ms)**, publish → arrival, per delivery | **${dist(streams.fanout.deliveryMs)}** |
| publish → arrival on the last of the conversation's streams, per change | ${dist(streams.fanout.allStreamsMs)} |
| Kafka ack → arrival, per delivery | ${dist(streams.fanout.fromAckMs)} |
| publish → Kafka ack | ${dist(streams.fanout.publishToAckMs)} |
| gateway CPU during the fan-out | ${cpu(streams.cpuPercent.fanout, 'gateway')} (projections ${cpu(streams.cpuPercent.fanout, 'projections')}, PostgreSQL ${cpu(streams.cpuPercent.fanout, 'postgres')}) |
${
  streams.listenerReconnect === null
    ? ''
    : `| LISTEN connection terminated (pg_terminate_backend), then ${n(streams.listenerReconnect.changes)} changes: deliveries / expected; streams dropped | ${n(streams.listenerReconnect.deliveries)} / ${n(streams.listenerReconnect.expectedDeliveries)}; ${n(streams.listenerReconnect.droppedStreams)} |
| after the reconnect, publish → arrival p50 / p99 / max (ms), per delivery | ${dist(streams.listenerReconnect.deliveryMs)} |
`
}| client process RSS (MiB) | ${n(streams.client.rssMiB)} |
${streams.openFailureSamples.length > 0 ? `\nRefusals (samples): ${streams.openFailureSamples.map((sample) => `\`${sample}\``).join('; ')}\n` : ''}
`;
}

export function gatewayMarkdown(record: GatewayRecord): string {
  const { commit } = record;
  const s = record.settings;
  const dirty = commit.dirtyOutsideBench ? ' (with uncommitted changes outside bench/: the figures are of the working tree)' : commit.dirty ? ' (uncommitted changes in bench/ only)' : '';
  return `# Gateway benchmark

Recorded ${record.recordedAt} at commit \`${commit.sha.slice(0, 12)}\`${dirty} on ${record.machine.cpus} cores, ${record.machine.memoryGiB} GiB, Node ${record.machine.node}
(load average before: ${record.machine.loadAverageBefore.join(', ')}, after: ${record.machine.loadAverageAfter.join(', ')}; open files limit ${n(record.machine.openFilesLimit)}). Run: ${n(record.runSeconds)} s.
Reproduce: \`${record.command}\` (builds, starts the stack if needed, prepares the namespace; see [gateway/README.md](gateway/README.md)).

One gateway process (\`services/gateway/dist/main.js\`, log level ${String(s['gatewayLogLevel'])}, access log to a file) in the namespace
\`${String(s['namespace'])}\` of the shared local stack (Kafka, PostgreSQL, Redis, the registry, all on the same ${record.machine.cpus} cores as
the gateway and the load generators).

${record.requests.runs.length === 0 ? '## POST /v1/requests\n\nNot run (BENCH_PARTS).\n\n' : requestsSection(record)}${record.streams === null ? '## Concurrent SSE streams\n\nNot run (BENCH_PARTS).\n\n' : streamsSection(record, record.streams)}Every run: [results/](results/) \`gateway-*.json\` (all figures, settings, CPU of every process group).
`;
}
