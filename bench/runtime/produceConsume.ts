/**
 * Produce-to-consume benchmark of the runtime: createEventProducer publishes ~1 KiB RequestReceived
 * events to a fresh 6-partition topic while a createConsumerRunner consumes them (decode, dispatch,
 * commit). Phases: warm-up, throughput (N events as fast as the producer goes), latency (a fixed
 * open-loop rate). Prints one JSON document; see bench/README.md.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEventCodec } from '@supportstream/events';
import { createConsumerRunner, createEventProducer, createKafka, type EventProducer, type Kafka } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry } from '@supportstream/observability';
import { createTopics, deleteTopics, uniqueName, waitFor } from '@supportstream/testing';
import { parseOptions, USAGE, type BenchConfig } from './options.js';
import { Receipts } from './receipts.js';
import type { LatencyResult, RuntimeResult, ThroughputResult } from './result.js';
import { cpuSince, cpuSnapshot, peakRssMiB } from './resources.js';
import { measureSize, sizedEvents, type BenchEvent, type SizedEvents } from './sizedEvents.js';
import { distribution, MIB, rate, round } from './stats.js';

const progress = (line: string) => process.stderr.write(`[bench runtime] ${line}\n`);

interface Phase {
  receipts: Receipts;
}

/** Builds `count` events (occurredAt = now), notes their send time, and publishes them. */
async function publishBatch(producer: EventProducer, events: SizedEvents, receipts: Receipts, first: number, count: number): Promise<number> {
  const batch: BenchEvent[] = [];
  for (let index = first; index < first + count; index += 1) batch.push(events.make(index));
  const sentAt = performance.now();
  for (const event of batch) receipts.sent(event.metadata.eventId, sentAt);
  await producer.publish(batch);
  return performance.now() - sentAt;
}

async function awaitReceipts(receipts: Receipts, config: BenchConfig, what: string): Promise<void> {
  await waitFor(() => receipts.done, {
    timeoutMs: config.BENCH_PHASE_TIMEOUT_SECONDS * 1000,
    intervalMs: 10,
    description: () => `${what}: ${receipts.expected} events consumed (got ${receipts.received}, ${receipts.duplicates} duplicates)`,
  });
}

async function warmUp(producer: EventProducer, events: SizedEvents, phase: Phase, config: BenchConfig): Promise<RuntimeResult['warmup']> {
  const started = performance.now();
  const total = config.BENCH_WARMUP_EVENTS;
  phase.receipts = new Receipts(total);
  for (let sent = 0; sent < total; sent += config.BENCH_BATCH) {
    await publishBatch(producer, events, phase.receipts, 1_000_000_000 + sent, Math.min(config.BENCH_BATCH, total - sent));
  }
  // Also waits out the consumer's first group join, so it is not counted in the next phase.
  await awaitReceipts(phase.receipts, config, 'warm-up');
  return { events: total, seconds: round((performance.now() - started) / 1000, 2) };
}

/** N events through `BENCH_IN_FLIGHT` concurrent publish loops of `BENCH_BATCH` events each. */
async function throughput(producer: EventProducer, events: SizedEvents, phase: Phase, config: BenchConfig, valueBytes: number): Promise<ThroughputResult> {
  const total = config.BENCH_EVENTS;
  const receipts = (phase.receipts = new Receipts(total));
  const publishMs: number[] = [];
  let next = 0;
  const cpu = cpuSnapshot(config.BENCH_BROKER_PID);
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const first = next;
      const count = Math.min(config.BENCH_BATCH, total - first);
      next += count;
      publishMs.push(await publishBatch(producer, events, receipts, first, count));
    }
  };
  await Promise.all(Array.from({ length: config.BENCH_IN_FLIGHT }, worker));
  const produced = performance.now();
  const consumedWhenProduced = receipts.received;
  await awaitReceipts(receipts, config, 'throughput phase');
  const cpuUse = cpuSince(cpu, config.BENCH_BROKER_PID);
  const produceSeconds = (produced - started) / 1000;
  const e2eSeconds = (receipts.completedAt - started) / 1000;
  return {
    events: total,
    eventsPerPublish: config.BENCH_BATCH,
    publishesInFlight: config.BENCH_IN_FLIGHT,
    produceSeconds: round(produceSeconds, 3),
    produceMsgsPerSec: round(rate(total, produceSeconds)),
    produceMiBPerSec: round(rate((total * valueBytes) / MIB, produceSeconds), 2),
    e2eSeconds: round(e2eSeconds, 3),
    e2eMsgsPerSec: round(rate(total, e2eSeconds)),
    e2eMiBPerSec: round(rate((total * valueBytes) / MIB, e2eSeconds), 2),
    consumedWhenProduceDone: consumedWhenProduced,
    duplicates: receipts.duplicates,
    unknown: receipts.unknown,
    publishCallMs: distribution(publishMs),
    latencyUnderLoadMs: distribution(receipts.latenciesMs),
    ...cpuUse,
  };
}

/**
 * Open loop at BENCH_LATENCY_RATE: every interval one publish of BENCH_LATENCY_BATCH events is
 * started on schedule, whether or not the previous ones were acknowledged (a closed loop would hide
 * queueing delay). Latency = handler entry - just before publish (encode, send, ack wait, fetch,
 * decode, dispatch).
 */
async function latency(producer: EventProducer, events: SizedEvents, phase: Phase, config: BenchConfig): Promise<LatencyResult> {
  const total = config.BENCH_LATENCY_RATE * config.BENCH_LATENCY_SECONDS;
  const receipts = (phase.receipts = new Receipts(total));
  const intervalMs = (1000 * config.BENCH_LATENCY_BATCH) / config.BENCH_LATENCY_RATE;
  const deadline = config.BENCH_LATENCY_SECONDS * 1000 * 2;
  const ackMs: number[] = [];
  const pending = new Set<Promise<void>>();
  let failures = 0;
  let firstFailure: unknown;
  let sent = 0;
  let lateTicks = 0;
  const cpu = cpuSnapshot(config.BENCH_BROKER_PID);
  const started = performance.now();
  for (let tick = 0; sent < total; tick += 1) {
    const wait = started + tick * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -intervalMs) lateTicks += 1;
    if (performance.now() - started > deadline) break;
    const count = Math.min(config.BENCH_LATENCY_BATCH, total - sent);
    const publish: Promise<void> = publishBatch(producer, events, receipts, 2_000_000_000 + sent, count).then(
      (ms) => void ackMs.push(ms),
      (error: unknown) => {
        failures += 1;
        firstFailure ??= error;
      },
    );
    pending.add(publish);
    void publish.finally(() => pending.delete(publish));
    sent += count;
  }
  const producedSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  if (failures > 0) throw new Error(`${failures} publish call(s) failed in the latency phase`, { cause: firstFailure });
  if (sent < total) throw new Error(`latency phase: only ${sent} of ${total} events were published within ${deadline} ms`);
  await awaitReceipts(receipts, config, 'latency phase');
  return {
    targetRate: config.BENCH_LATENCY_RATE,
    seconds: config.BENCH_LATENCY_SECONDS,
    eventsPerPublish: config.BENCH_LATENCY_BATCH,
    events: total,
    achievedRate: round(rate(total, producedSeconds)),
    lateTicks,
    duplicates: receipts.duplicates,
    unknown: receipts.unknown,
    e2eMs: distribution(receipts.latenciesMs),
    publishAckMs: distribution(ackMs),
    ...cpuSince(cpu, config.BENCH_BROKER_PID),
  };
}

async function main(): Promise<void> {
  const config = parseOptions(process.argv.slice(2));
  if (config === 'help') {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date().toISOString();
  // Other work on the machine skews the figures; the load before the run says how busy it was.
  const loadAverageAtStart = loadavg().map((load) => round(load, 2));
  const logger = createLogger({ service: 'bench', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, format: 'pretty', destination: process.stderr });
  const metrics = createMetricsRegistry({}, false);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'bench-runtime', logger });
  const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
  const topic = uniqueName('bench-runtime');
  const groupId = `${topic}-group`;
  const phase: Phase = { receipts: new Receipts(0) };
  const producer = createEventProducer({ kafka, codec, logger, metrics, topicFor: () => topic });
  const runner = createConsumerRunner({
    kafka,
    codec,
    logger,
    metrics,
    groupId,
    topics: [topic],
    partitionsConsumedConcurrently: config.BENCH_CONSUMER_CONCURRENCY,
    handlers: { RequestReceived: async (event) => phase.receipts.receive(event.metadata.eventId) },
  });

  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      const steps: [string, () => Promise<unknown>][] = [
        ['stop consumer', () => runner.stop()],
        ['disconnect producer', () => producer.disconnect()],
        // The group first: deleting the topic drops its offsets and, with them, the empty group.
        ['delete group', () => withAdmin(kafka, (admin) => admin.deleteGroups([groupId]))],
        ['delete topics', () => deleteTopics(kafka, [topic])],
      ];
      for (const [name, step] of steps) {
        await step().catch((error: unknown) => progress(`cleanup: ${name} failed: ${describeError(error)}`));
      }
    })());
  const abort = (reason: string, code: number) => {
    progress(`${reason}; cleaning up`);
    const hard = setTimeout(() => process.exit(code), 15_000);
    hard.unref();
    void cleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  // Every wait is bounded on its own; this guards the whole run (connects, admin calls) as well.
  const budgetMs = (3 * config.BENCH_PHASE_TIMEOUT_SECONDS + 2 * config.BENCH_LATENCY_SECONDS + 60) * 1000;
  setTimeout(() => abort(`run exceeded ${budgetMs / 1000} s`, 1), budgetMs).unref();

  let result: RuntimeResult;
  try {
    progress(`topic ${topic} (${config.BENCH_PARTITIONS} partitions + .dlq)`);
    await createTopics(kafka, [topic], config.BENCH_PARTITIONS);
    const events = await sizedEvents(codec, config.BENCH_RECORD_BYTES, config.BENCH_CONVERSATIONS);
    const size = await measureSize(codec, events);
    await producer.connect();
    await runner.start();
    progress(`warm-up: ${config.BENCH_WARMUP_EVENTS} events`);
    const warmup = await warmUp(producer, events, phase, config);
    progress(`throughput: ${config.BENCH_EVENTS} events, ${config.BENCH_BATCH} per publish, ${config.BENCH_IN_FLIGHT} publishes in flight`);
    const throughputResult = await throughput(producer, events, phase, config, size.valueBytesMax);
    progress(`latency: ${config.BENCH_LATENCY_RATE} events/s for ${config.BENCH_LATENCY_SECONDS} s, ${config.BENCH_LATENCY_BATCH} per publish`);
    const latencyResult = await latency(producer, events, phase, config);
    result = {
      benchmark: 'runtime produce-to-consume',
      startedAt,
      loadAverageAtStart,
      topic,
      partitions: config.BENCH_PARTITIONS,
      conversations: config.BENCH_CONVERSATIONS,
      client: { library: 'kafkajs 2.2.4', acks: 'all', idempotent: true, maxInFlightRequests: 1, compression: 'none', consumerPartitionsConcurrently: config.BENCH_CONSUMER_CONCURRENCY },
      event: { type: 'RequestReceived', messageChars: events.messageChars, ...size },
      warmup,
      throughput: throughputResult,
      latency: latencyResult,
      process: { peakRssMiB: peakRssMiB() },
    };
  } finally {
    await cleanup();
  }
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (config.BENCH_OUT) writeFileSync(config.BENCH_OUT, json);
  else process.stdout.write(json);
}

/** kafkajs' DeleteGroups error keeps the per-group broker error codes in `groups`. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const groups = (error as Error & { groups?: readonly { groupId: string; error?: { type?: string } }[] }).groups;
  return groups ? `${error.message} (${groups.map((group) => `${group.groupId}: ${group.error?.type ?? 'unknown'}`).join(', ')})` : error.message;
}

async function withAdmin<T>(kafka: Kafka, use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

main().then(
  // kafkajs may keep a socket or timer alive for a while after disconnect; the work is done.
  () => process.exit(0),
  (error: unknown) => {
    progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
