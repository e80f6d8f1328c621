import { describe, expect, it } from 'vitest';
import { parseConsumerPerf, parseProducerPerf } from './perfOutput.js';

// Verbatim output of Kafka 3.9.2's tools on this machine (progress line included).
const PRODUCER = `149731 records sent, 29946.2 records/sec (29.24 MB/sec), 590.1 ms avg latency, 880.0 ms max latency.
50000 records sent, 32530.904359 records/sec (31.77 MB/sec), 501.18 ms avg latency, 643.00 ms max latency, 535 ms 50th, 612 ms 95th, 628 ms 99th, 641 ms 99.9th.
`;

const CONSUMER = `WARNING: some tool warning
start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-11-21 19:32:07:483, 2026-11-21 19:32:08:261, 48.8281, 62.7611, 50000, 64267.3522, 317, 461, 105.9178, 108459.8698
`;

describe('Kafka perf tool output', () => {
  it('reads the final producer-perf-test summary, not a progress line', () => {
    expect(parseProducerPerf(PRODUCER)).toEqual({
      records: 50000,
      recordsPerSec: 32530.904359,
      mibPerSec: 31.77,
      avgLatencyMs: 501.18,
      maxLatencyMs: 643,
      p50Ms: 535,
      p95Ms: 612,
      p99Ms: 628,
      p999Ms: 641,
    });
  });

  it('reads the consumer-perf-test table by column name', () => {
    expect(parseConsumerPerf(CONSUMER)).toEqual({
      mib: 48.8281,
      mibPerSec: 62.7611,
      records: 50000,
      recordsPerSec: 64267.3522,
      rebalanceMs: 317,
      fetchMs: 461,
      fetchMiBPerSec: 105.9178,
      fetchRecordsPerSec: 108459.8698,
    });
  });

  it('fails loudly when a tool printed no result', () => {
    expect(() => parseProducerPerf('org.apache.kafka.common.errors.TimeoutException: Topic not present\n')).toThrow(/no producer-perf-test summary/);
    expect(() => parseConsumerPerf('start.time, end.time, data.consumed.in.MB\n')).toThrow(/no consumer-perf-test result table/);
  });
});
