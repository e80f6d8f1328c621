import type { BenchRecord } from './record.js';

const n = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => (value < 10 ? n(value, 1) : n(value));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, index) => (index === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function latest(record: BenchRecord): string {
  const { runtime, kafka, machine } = record;
  const { throughput: t, latency: l } = runtime;
  const pm = kafka.producerMatched.result;
  const pr = kafka.producerMatchedFixedRate.result;
  const pd = kafka.producerDefaults.result;
  const c = kafka.consumer.result;
  const events = n(t.events);
  return `## Latest run: ${record.recordedAt}

Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${n(machine.memoryGiB, 1)} GiB RAM, ${machine.os}; Node ${machine.node}, ${machine.java}, Kafka ${machine.kafka}
(single broker on loopback, sharing the CPUs with the client). Load average before the run: ${runtime.loadAverageAtStart.join(' / ')}.
The whole run took ${n(record.runSeconds)} s.${record.warnings.length > 0 ? `\n\n**Warnings:**\n${record.warnings.map((warning) => `- ${warning}`).join('\n')}` : ''}

Reproduce from the repository root:

\`\`\`sh
${record.command}
\`\`\`

Records: ${n(runtime.event.valueBytesMax)}-byte values (RequestReceived, Avro + 5-byte registry header;
measured ${n(runtime.event.valueBytesMin)}..${n(runtime.event.valueBytesMax)} B over ${runtime.event.sampled} events), plus a ${runtime.event.keyBytes}-byte key and
${runtime.event.headerBytes} bytes of headers that the Kafka tools do not send. ${runtime.partitions} partitions, ${n(runtime.conversations)} conversation keys.

### Throughput (${events} records, as fast as possible)

${table(
  ['', 'records/s', 'MiB/s (values)', 'latency avg', 'p50', 'p99', 'max'],
  [
    [
      `runtime produce (${t.eventsPerPublish} per publish call, ${t.publishesInFlight} calls in flight)`,
      n(t.produceMsgsPerSec),
      n(t.produceMiBPerSec, 2),
      ms(t.publishCallMs.mean),
      ms(t.publishCallMs.p50),
      ms(t.publishCallMs.p99),
      ms(t.publishCallMs.max),
    ],
    [
      'runtime end-to-end (first publish to last handler entry)',
      n(t.e2eMsgsPerSec),
      n(t.e2eMiBPerSec, 2),
      ms(t.latencyUnderLoadMs.mean),
      ms(t.latencyUnderLoadMs.p50),
      ms(t.latencyUnderLoadMs.p99),
      ms(t.latencyUnderLoadMs.max),
    ],
    ['producer-perf-test, acks=all idempotent max.in.flight=1', n(pm.recordsPerSec), n(pm.mibPerSec, 2), ms(pm.avgLatencyMs), ms(pm.p50Ms), ms(pm.p99Ms), ms(pm.maxLatencyMs)],
    ['producer-perf-test, Java client defaults', n(pd.recordsPerSec), n(pd.mibPerSec, 2), ms(pd.avgLatencyMs), ms(pd.p50Ms), ms(pd.p99Ms), ms(pd.maxLatencyMs)],
    [`consumer-perf-test (group join included; fetch only: ${n(c.fetchRecordsPerSec)} records/s)`, n(c.recordsPerSec), n(c.mibPerSec, 2), '', '', '', ''],
  ],
)}

Kafka tools: Java client ${machine.kafka}, JVM options \`${kafka.jvmOptions}\`.
Latencies (ms) in this table are under saturation, so they are mostly queueing. Produce rows: send to
acknowledgement (the runtime's per publish call of ${t.eventsPerPublish} events, the Java tool's per record). End-to-end row:
publish call to handler entry, per event. Client CPU in the runtime's throughput phase:
${n(t.clientCpuPercent)} % of one core (broker: ${n(t.brokerCpuPercent)} %). Consumer had ${n(t.consumedWhenProduceDone)} of ${events} when the last publish was acknowledged.

### Latency at a fixed ${n(l.targetRate)} records/s for ${l.seconds} s (open loop, ${l.eventsPerPublish} events per publish)

${table(
  ['milliseconds', 'mean', 'p50', 'p95', 'p99', 'p99.9', 'max'],
  [
    ['runtime end-to-end (before publish to handler entry)', ms(l.e2eMs.mean), ms(l.e2eMs.p50), ms(l.e2eMs.p95), ms(l.e2eMs.p99), ms(l.e2eMs.p999), ms(l.e2eMs.max)],
    ['runtime publish to ack (acks=all)', ms(l.publishAckMs.mean), ms(l.publishAckMs.p50), ms(l.publishAckMs.p95), ms(l.publishAckMs.p99), ms(l.publishAckMs.p999), ms(l.publishAckMs.max)],
    [`producer-perf-test send to ack, --throughput ${n(l.targetRate)}, matched settings`, ms(pr.avgLatencyMs), ms(pr.p50Ms), ms(pr.p95Ms), ms(pr.p99Ms), ms(pr.p999Ms), ms(pr.maxLatencyMs)],
  ],
)}

Achieved rate ${n(l.achievedRate)} records/s; ${l.lateTicks} publish call(s) started more than one interval late. Client CPU
${n(l.clientCpuPercent)} % of one core, broker ${n(l.brokerCpuPercent)} %. Peak RSS of the benchmark process: ${n(runtime.process.peakRssMiB)} MiB.
`;
}

function history(records: readonly BenchRecord[]): string {
  return `## All recorded runs

${table(
  ['recorded (UTC)', 'load before', 'runtime produce/s', 'runtime e2e/s', `p50 ms`, 'p99 ms', 'perf-test matched/s', 'perf-test defaults/s', 'consumer-perf/s'],
  records.map((record) => {
    const { throughput: t, latency: l } = record.runtime;
    return [
      record.recordedAt,
      n(record.runtime.loadAverageAtStart[0], 2),
      n(t.produceMsgsPerSec),
      n(t.e2eMsgsPerSec),
      ms(l.e2eMs.p50),
      ms(l.e2eMs.p99),
      n(record.kafka.producerMatched.result.recordsPerSec),
      n(record.kafka.producerDefaults.result.recordsPerSec),
      n(record.kafka.consumer.result.recordsPerSec),
    ];
  }),
)}

p50/p99: runtime end-to-end latency at the fixed rate. Files: \`bench/results/runtime-*.json\` (every figure,
the tools' command lines, the machine).
`;
}

/** bench/RESULTS.md: the latest run in full, then one line per recorded run. */
export function resultsMarkdown(records: readonly BenchRecord[]): string {
  const last = records[records.length - 1];
  if (!last) throw new Error('no recorded benchmark runs');
  return `# Benchmark results

Generated by \`bench/run.sh\` (\`npm run bench\`) from \`bench/results/*.json\`; do not edit by hand.
What is measured and the caveats: [README.md](README.md).

${latest(last)}
${history(records)}`;
}
