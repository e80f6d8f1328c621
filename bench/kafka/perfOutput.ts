/** Parsers for the output of Kafka's own perf tools (3.9: org.apache.kafka.tools.*Performance). */

export interface ProducerPerfResult {
  readonly records: number;
  readonly recordsPerSec: number;
  /** The tool's "MB" is MiB: records × record size / 1024 / 1024. */
  readonly mibPerSec: number;
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

export interface ConsumerPerfResult {
  readonly records: number;
  readonly mib: number;
  /** Over the whole run, group join included (start.time to end.time). */
  readonly mibPerSec: number;
  readonly recordsPerSec: number;
  readonly rebalanceMs: number;
  /** Fetch-only figures: the run minus the group join. */
  readonly fetchMs: number;
  readonly fetchMiBPerSec: number;
  readonly fetchRecordsPerSec: number;
}

const NUMBER = String.raw`(-?[\d.]+(?:[eE][-+]?\d+)?)`;
// The final summary line; the 5-second progress lines lack the percentiles.
const PRODUCER_SUMMARY = new RegExp(
  String.raw`(\d+) records sent, ${NUMBER} records/sec \(${NUMBER} MB/sec\), ${NUMBER} ms avg latency, ${NUMBER} ms max latency, ` +
    String.raw`(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th`,
);

export function parseProducerPerf(output: string): ProducerPerfResult {
  const lines = output.split('\n').filter((line) => PRODUCER_SUMMARY.test(line));
  const match = PRODUCER_SUMMARY.exec(lines[lines.length - 1] ?? '');
  if (!match) throw new Error(`no producer-perf-test summary line in its output:\n${output.slice(-2_000)}`);
  const n = (index: number) => Number(match[index]);
  return {
    records: n(1),
    recordsPerSec: n(2),
    mibPerSec: n(3),
    avgLatencyMs: n(4),
    maxLatencyMs: n(5),
    p50Ms: n(6),
    p95Ms: n(7),
    p99Ms: n(8),
    p999Ms: n(9),
  };
}

const CONSUMER_COLUMNS = {
  mib: 'data.consumed.in.MB',
  mibPerSec: 'MB.sec',
  records: 'data.consumed.in.nMsg',
  recordsPerSec: 'nMsg.sec',
  rebalanceMs: 'rebalance.time.ms',
  fetchMs: 'fetch.time.ms',
  fetchMiBPerSec: 'fetch.MB.sec',
  fetchRecordsPerSec: 'fetch.nMsg.sec',
} as const;

/** The CSV the tool prints without --show-detailed-stats: one header line, one data line. */
export function parseConsumerPerf(output: string): ConsumerPerfResult {
  const lines = output.split('\n').map((line) => line.trim());
  const headerIndex = lines.findIndex((line) => line.startsWith('start.time'));
  const header = lines[headerIndex]?.split(',').map((cell) => cell.trim());
  const data = lines[headerIndex + 1]?.split(',').map((cell) => cell.trim());
  if (headerIndex < 0 || !header || !data || data.length !== header.length) {
    throw new Error(`no consumer-perf-test result table in its output:\n${output.slice(-2_000)}`);
  }
  const entries = Object.entries(CONSUMER_COLUMNS).map(([key, column]) => {
    const index = header.indexOf(column);
    const value = Number(data[index]);
    if (index < 0 || !Number.isFinite(value)) throw new Error(`consumer-perf-test output lacks a numeric ${column} column`);
    return [key, value] as const;
  });
  return Object.fromEntries(entries) as unknown as ConsumerPerfResult;
}
