/**
 * Assembles one run of bench/run.sh into bench/results/runtime-<UTC time>.json and regenerates
 * bench/RESULTS.md from every recorded run.
 *   node --import tsx bench/report.ts --dir <run dir> [--results bench/results] [--summary bench/RESULTS.md]
 * The run dir holds runtime.json and, per Kafka tool run, <name>.out (its output) and <name>.cmd.
 * run.sh passes BENCH_COMMAND, BENCH_JAVA_VERSION, BENCH_KAFKA_VERSION, BENCH_RUN_STARTED (epoch s)
 * and PERF_JVM_OPTS (the Kafka tools' JVM options).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConsumerPerf, parseProducerPerf } from './kafka/perfOutput.js';
import type { BenchRecord, KafkaToolRun, MachineInfo } from './record.js';
import { resultsMarkdown } from './resultsMarkdown.js';
import type { RuntimeResult } from './runtime/result.js';
import { round } from './runtime/stats.js';

function toolRun<R>(dir: string, name: string, parse: (output: string) => R): KafkaToolRun<R> {
  return { command: readFileSync(join(dir, `${name}.cmd`), 'utf8').trim(), result: parse(readFileSync(join(dir, `${name}.out`), 'utf8')) };
}

function machine(): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    os: `${platform()} ${release()}`,
    node: process.version,
    java: process.env['BENCH_JAVA_VERSION'] ?? 'unknown',
    kafka: process.env['BENCH_KAFKA_VERSION'] ?? 'unknown',
  };
}

/** A figure is only worth recording if every record made it through exactly once. */
function sanityWarnings(record: Omit<BenchRecord, 'warnings'>): string[] {
  const { runtime, kafka } = record;
  const warnings: string[] = [];
  const { throughput, latency } = runtime;
  for (const [phase, result] of [['throughput', throughput], ['latency', latency]] as const) {
    if (result.duplicates > 0) warnings.push(`runtime ${phase} phase: ${result.duplicates} events were handled twice`);
    if (result.unknown > 0) warnings.push(`runtime ${phase} phase: ${result.unknown} events arrived that this phase did not send`);
  }
  if (latency.achievedRate < 0.95 * latency.targetRate) warnings.push(`runtime latency phase reached ${latency.achievedRate} of ${latency.targetRate} events/s`);
  const expected = throughput.events;
  for (const [name, run] of [['producer-perf-test (matched)', kafka.producerMatched], ['producer-perf-test (defaults)', kafka.producerDefaults], ['consumer-perf-test', kafka.consumer]] as const) {
    if (run.result.records !== expected) warnings.push(`${name} handled ${run.result.records} records, not ${expected}`);
  }
  return warnings;
}

function main(): void {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, results: { type: 'string', default: 'bench/results' }, summary: { type: 'string', default: 'bench/RESULTS.md' } },
  });
  if (values.dir === undefined) throw new Error('usage: bench/report.ts --dir <run dir> [--results dir] [--summary file]');
  const dir = values.dir;
  const now = new Date();
  const started = Number(process.env['BENCH_RUN_STARTED'] ?? now.getTime() / 1000);
  const measured: Omit<BenchRecord, 'warnings'> = {
    recordVersion: 1,
    recordedAt: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    command: process.env['BENCH_COMMAND'] ?? 'npm run bench',
    runSeconds: round(now.getTime() / 1000 - started),
    machine: machine(),
    runtime: JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as RuntimeResult,
    kafka: {
      jvmOptions: process.env['PERF_JVM_OPTS'] ?? 'unknown',
      producerMatched: toolRun(dir, 'producer-matched', parseProducerPerf),
      producerMatchedFixedRate: toolRun(dir, 'producer-fixed-rate', parseProducerPerf),
      producerDefaults: toolRun(dir, 'producer-defaults', parseProducerPerf),
      consumer: toolRun(dir, 'consumer', parseConsumerPerf),
    },
  };
  const record: BenchRecord = { ...measured, warnings: sanityWarnings(measured) };
  for (const warning of record.warnings) console.error(`warning: ${warning}`);
  mkdirSync(values.results, { recursive: true });
  const file = join(values.results, `runtime-${record.recordedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  // File names sort by time; every recorded run goes into the history table.
  const records = readdirSync(values.results)
    .filter((name) => /^runtime-.*\.json$/.test(name))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(values.results, name), 'utf8')) as BenchRecord);
  writeFileSync(values.summary, resultsMarkdown(records));
  console.log(`recorded ${file}; updated ${values.summary}`);
}

main();
