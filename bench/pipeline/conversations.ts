// Pipeline benchmark: conversations per second end to end with the offline provider, and p50/p99
// per step and end to end, for (a) the six agent services as separate processes over Kafka and
// (b) the same graph, nodes and PostgreSQL checkpointer in one process. Bounded in count and time.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventCodec, createEventFactory, EVENT_TYPES, randomId, TOPIC_NAMES, type SupportEvent } from '@supportstream/events';
import { buildSupportGraph, type RequestInfo } from '@supportstream/graph';
import { createConsumerRunner, createEventProducer, createKafka } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry } from '@supportstream/observability';
import { createStepRunner } from '@supportstream/pipeline';
import { createAgentRuntime, loadAgentServiceEnv } from '@supportstream/platform';
import { AGENT_SERVICES, startService, stopService, type ServiceProcess } from '@supportstream/testing';
import { distribution, round } from '../runtime/stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONVERSATIONS = Number(process.env['BENCH_CONVERSATIONS'] ?? 100);
const CONCURRENCY = Number(process.env['BENCH_INPROCESS_CONCURRENCY'] ?? 6);
const TIMEOUT_MS = Number(process.env['BENCH_TIMEOUT_MS'] ?? 300_000);
const PACED_RATE = Number(process.env['BENCH_PACED_RATE'] ?? 2);
const PACED_SECONDS = Number(process.env['BENCH_PACED_SECONDS'] ?? 15);
const QUESTIONS = [
  'How do I reset my password?',
  'How long does shipping to Germany take?',
  'Can I return a damaged item?',
  'Which payment methods do you accept?',
  'How do I download an invoice?',
];
const env = loadAgentServiceEnv();
const logger = createLogger({ service: 'bench', level: 'warn' });

interface ModeResult {
  readonly conversations: number;
  readonly completed: number;
  readonly seconds: number;
  readonly conversationsPerSecond: number;
  readonly endToEndMs: ReturnType<typeof distribution>;
  readonly stepMs: Record<string, ReturnType<typeof distribution>>;
}

function summarize(conversations: number, seconds: number, endToEnd: number[], steps: Map<string, number[]>): ModeResult {
  return {
    conversations,
    completed: endToEnd.length,
    seconds: round(seconds, 2),
    conversationsPerSecond: round(endToEnd.length / seconds, 2),
    endToEndMs: distribution(endToEnd, 1),
    stepMs: Object.fromEntries([...steps].map(([node, values]) => [node, distribution(values, 1)])),
  };
}

const requestInfo = (index: number, tag: string): RequestInfo => {
  const id = randomId();
  return {
    requestId: id,
    conversationId: `bench-${tag}-${id}`,
    tenantId: 'demo-tenant',
    customerId: `bench-${index % 11}`,
    customerTier: 'STANDARD',
    channel: 'WEB',
    subject: null,
    message: QUESTIONS[index % QUESTIONS.length] ?? '',
    correlationId: randomId(),
    receivedEventId: randomId(),
    receivedAt: new Date().toISOString(),
  };
};

/** The same graph, nodes and checkpointer in one process: steps run back to back, no Kafka. */
async function inProcess(): Promise<ModeResult> {
  const runtime = await createAgentRuntime(env, 'bench-inprocess', logger);
  const graph = buildSupportGraph({ nodes: runtime.nodes, checkpointer: runtime.checkpointer });
  const runner = createStepRunner({ graph, pool: runtime.lockPool });
  const endToEnd: number[] = [];
  const steps = new Map<string, number[]>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < CONVERSATIONS && performance.now() - started < TIMEOUT_MS) {
      const index = next++;
      const request = requestInfo(index, 'inproc');
      const begin = performance.now();
      let snapshot = (await runner.startRun(request)).snapshot;
      for (let step = 0; step < 20 && snapshot.next.length > 0; step += 1) {
        const node = snapshot.next[0] as Parameters<typeof runner.runStep>[1];
        const outcome = await runner.runStep(request.conversationId, node, snapshot.checkpointId ?? '');
        snapshot = outcome.snapshot;
        const last = snapshot.values.lastStep;
        if (last) steps.set(last.node, [...(steps.get(last.node) ?? []), last.durationMs]);
      }
      endToEnd.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await runtime.close();
  return summarize(CONVERSATIONS, seconds, endToEnd, steps);
}

/** The six services as separate processes: requests in through Kafka, replies out through Kafka. */
async function distributed(): Promise<{ burst: ModeResult; paced: ModeResult & { ratePerSecond: number } }> {
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'bench-pipeline', logger });
  const codec = createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const published = new Map<string, number>();
  const done = new Map<string, number>();
  const steps = new Map<string, Map<string, number>>();
  const observe = (event: SupportEvent) => {
    if (!published.has(event.metadata.conversationId)) return Promise.resolve();
    if (event.type === 'RunCompleted' && !done.has(event.metadata.conversationId)) done.set(event.metadata.conversationId, performance.now());
    if (event.type === 'StepMetrics') {
      const byId = steps.get(event.data.node) ?? new Map<string, number>();
      byId.set(event.metadata.eventId, event.data.durationMs);
      steps.set(event.data.node, byId);
    }
    return Promise.resolve();
  };
  const observer = createConsumerRunner({
    kafka,
    codec,
    logger,
    metrics: createMetricsRegistry({}, false),
    groupId: `bench-observer-${Date.now()}`,
    topics: [...TOPIC_NAMES],
    fromBeginning: false,
    partitionsConsumedConcurrently: 6,
    handlers: Object.fromEntries(EVENT_TYPES.map((type) => [type, observe])),
  });
  await observer.start();
  const services: ServiceProcess[] = [];
  for (const name of AGENT_SERVICES) services.push(await startService(name));
  // Services join their groups; give the assignments a moment before the clock starts.
  await new Promise((resolveWait) => setTimeout(resolveWait, 3_000));
  const producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false) });
  await producer.connect();
  const factory = createEventFactory({ producer: 'bench' });
  const publishOne = async (index: number, tag: string) => {
    const info = requestInfo(index, tag);
    const event = factory.create(
      'RequestReceived',
      { channel: 'WEB', customerId: info.customerId, customerTier: 'STANDARD', subject: null, message: info.message, locale: null, attributes: {} },
      { conversationId: info.conversationId, requestId: info.requestId, tenantId: info.tenantId, correlationId: info.correlationId, causationId: null },
    );
    published.set(info.conversationId, performance.now());
    await producer.publish([event]);
    return info.conversationId;
  };
  const waitAll = async (ids: readonly string[], deadline: number) => {
    while (ids.some((id) => !done.has(id)) && performance.now() < deadline) await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  };
  const measure = (ids: readonly string[], startedAt: number): ModeResult => {
    const finished = ids.filter((id) => done.has(id));
    const last = Math.max(...finished.map((id) => done.get(id) ?? 0));
    const endToEnd = finished.map((id) => (done.get(id) ?? 0) - (published.get(id) ?? 0));
    const conversationSteps = new Map([...steps].map(([node, byId]) => [node, [...byId.values()]]));
    return summarize(ids.length, (last - startedAt) / 1000, endToEnd, conversationSteps);
  };

  // Burst: every request at once; throughput, with queueing in the end-to-end figures.
  const burstStarted = performance.now();
  const burstIds: string[] = [];
  for (let index = 0; index < CONVERSATIONS; index += 1) burstIds.push(await publishOne(index, 'burst'));
  await waitAll(burstIds, burstStarted + TIMEOUT_MS);
  const burst = measure(burstIds, burstStarted);

  // Paced: a steady trickle well under capacity; end to end is one conversation's latency.
  steps.clear();
  const pacedStarted = performance.now();
  const pacedIds: string[] = [];
  const total = Math.round(PACED_RATE * PACED_SECONDS);
  for (let index = 0; index < total; index += 1) {
    const due = pacedStarted + (index * 1000) / PACED_RATE;
    await new Promise((resolveWait) => setTimeout(resolveWait, Math.max(0, due - performance.now())));
    pacedIds.push(await publishOne(index, 'paced'));
  }
  await waitAll(pacedIds, pacedStarted + TIMEOUT_MS);
  const paced = { ...measure(pacedIds, pacedStarted), ratePerSecond: PACED_RATE };

  await producer.disconnect();
  await Promise.all(services.map((service) => stopService(service)));
  await observer.stop();
  return { burst, paced };
}

const inProcessResult = await inProcess();
console.log(`in-process: ${inProcessResult.conversationsPerSecond} conversations/s, e2e p50 ${inProcessResult.endToEndMs.p50} ms p99 ${inProcessResult.endToEndMs.p99} ms`);
const { burst: distributedResult, paced } = await distributed();
console.log(`distributed: ${distributedResult.conversationsPerSecond} conversations/s (burst); paced at ${PACED_RATE}/s: e2e p50 ${paced.endToEndMs.p50} ms p99 ${paced.endToEndMs.p99} ms`);

const recordedAt = new Date().toISOString();
const command = `BENCH_CONVERSATIONS=${CONVERSATIONS} BENCH_INPROCESS_CONCURRENCY=${CONCURRENCY} BENCH_PACED_RATE=${PACED_RATE} BENCH_PACED_SECONDS=${PACED_SECONDS} npm run bench:pipeline`;
const result = {
  recordedAt,
  command,
  machine: { cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
  provider: 'offline (no simulated latency)',
  inProcess: { ...inProcessResult, concurrency: CONCURRENCY },
  distributed: distributedResult,
  distributedPaced: paced,
};
const resultsDir = join(ROOT, 'bench/results');
await mkdir(resultsDir, { recursive: true });
await writeFile(join(resultsDir, `pipeline-${recordedAt.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);

const cell = (d: ReturnType<typeof distribution> | undefined) => (d ? `${d.p50} / ${d.p99}` : '–');
const row = (node: string) => `| ${node} | ${cell(inProcessResult.stepMs[node])} | ${cell(distributedResult.stepMs[node])} | ${cell(paced.stepMs[node])} |`;
const markdown = `# Pipeline benchmark

Recorded ${recordedAt} on ${result.machine.cpus} cores, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}.
Reproduce: \`${command}\` (starts the stack if needed; see bench/README.md).

${CONVERSATIONS} conversations (how-to questions that resolve without approval), offline model provider.
**In one process**: the same graph, node implementations and PostgreSQL checkpointer, ${CONCURRENCY}
conversations at a time, steps back to back through the step runner (thread lock, checkpoint per step),
no Kafka. **Distributed**: the six services as separate processes; every request published at once to
customer.requests, every step handed over through agent.actions.

| | conversations/s | end to end p50 / p99 (ms) |
|---|---:|---|
| in one process, ${CONCURRENCY} at a time | ${inProcessResult.conversationsPerSecond} | ${inProcessResult.endToEndMs.p50} / ${inProcessResult.endToEndMs.p99} |
| distributed, burst of ${CONVERSATIONS} | ${distributedResult.conversationsPerSecond} | ${distributedResult.endToEndMs.p50} / ${distributedResult.endToEndMs.p99} (includes queueing) |
| distributed, paced at ${PACED_RATE}/s for ${PACED_SECONDS} s | – | ${paced.endToEndMs.p50} / ${paced.endToEndMs.p99} |

Step duration inside the node (p50 / p99 ms; the distributed figures come from StepMetrics):

| step | in one process | distributed, burst | distributed, paced |
|---|---|---|---|
${['moderate', 'triage', 'research', 'solution', 'quality', 'respond'].map(row).join('\n')}

In the burst, all ${CONVERSATIONS} requests arrive at once and every conversation's steps interleave, so
its end-to-end figures are mostly queueing; the paced run shows one conversation's latency through
six services and Kafka hand-offs. Both modes share the same 2 cores with Kafka, PostgreSQL, Redis and
the registry.
`;
await writeFile(join(ROOT, 'bench/PIPELINE_RESULTS.md'), markdown);
process.exit(0);
