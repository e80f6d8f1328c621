/**
 * Distributed mode: the six agent services as separate processes (packages/testing's startService),
 * requests in through Kafka, the outcome observed from the events themselves (RunCompleted for end
 * to end, StepMetrics per step). A burst measures capacity and, bracketed by the meter, cost; then
 * a paced run at a rate derived from the burst measures one conversation's latency.
 */
import { createEventCodec, createEventFactory, EVENT_TYPES, TOPIC_NAMES, type SupportEvent } from '@supportstream/events';
import { createConsumerRunner, createEventProducer, type Kafka } from '@supportstream/kafka';
import { createMetricsRegistry, type Logger } from '@supportstream/observability';
import type { AgentServiceEnv } from '@supportstream/platform';
import { AGENT_SERVICES, startService, stopService, type ServiceProcess } from '@supportstream/testing';
import type { PhaseCost, PhaseMeter } from './costMeter.js';
import { requestInfo, sleep, summarize, type ModeResult } from './shared.js';
import { createPool } from '@supportstream/db';
import { keyVaultFromEnv } from '@supportstream/privacy';

export interface DistributedOptions {
  readonly env: AgentServiceEnv;
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly conversations: number;
  readonly timeoutMs: number;
  /** Conversations/s of the paced run, from the burst's conversations/s. */
  readonly pacedRate: (burstConversationsPerSecond: number) => number;
  readonly pacedSeconds: number;
  readonly meter: PhaseMeter;
  /** Called with the services' pids once they run, so the meter can find their process trees. */
  readonly onServicesStarted: (pids: Readonly<Record<string, number>>) => void;
  /** Processes of each agent service, in shared consumer groups (1: one of each). */
  readonly replicas?: number;
  /** PostgreSQL statistics of idle backends reach pg_stat_database up to 10 s late; see pgSampler.ts. */
  readonly pgQuietMs: number;
}

export interface DistributedResult {
  readonly burst: ModeResult;
  readonly burstCost: PhaseCost;
  readonly paced: ModeResult & { readonly ratePerSecond: number; readonly publishSeconds: number };
}

export async function distributed(options: DistributedOptions): Promise<DistributedResult> {
  const { kafka, logger } = options;
  const codec = createEventCodec({ registryUrl: options.env.SCHEMA_REGISTRY_URL });
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
  // The driver stands in for the gateway: its requests are sealed with the customers' data keys, as
  // the gateway's are. The observer reads ids and timings only, so it opens nothing.
  const keyPool = createPool(options.env.DATABASE_URL, { max: 2, applicationName: 'bench-driver' });
  const sealing = createEventCodec({ registryUrl: options.env.SCHEMA_REGISTRY_URL, cipher: keyVaultFromEnv(options.env, keyPool) });
  const producer = createEventProducer({ kafka, codec: sealing, logger, metrics: createMetricsRegistry({}, false) });
  try {
    const replicas = options.replicas ?? 1;
    for (let replica = 1; replica <= replicas; replica += 1) for (const name of AGENT_SERVICES) services.push(await startService(name));
    // Replicas after the first are measured as `<service>#<n>`.
    const seen = new Map<string, number>();
    const labelOf = (name: string) => {
      const count = (seen.get(name) ?? 0) + 1;
      seen.set(name, count);
      return count === 1 ? name : `${name}#${count}`;
    };
    options.onServicesStarted(Object.fromEntries(services.map((service) => [labelOf(service.name), service.child.pid ?? 0])));
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
      while (ids.some((id) => !done.has(id)) && performance.now() < deadline) await sleep(100);
    };
    const measure = (ids: readonly string[], startedAt: number): ModeResult => {
      const finished = ids.filter((id) => done.has(id));
      const last = Math.max(...finished.map((id) => done.get(id) ?? 0));
      const endToEnd = finished.map((id) => (done.get(id) ?? 0) - (published.get(id) ?? 0));
      const conversationSteps = new Map([...steps].map(([node, byId]) => [node, [...byId.values()]]));
      return summarize(ids.length, (last - startedAt) / 1000, endToEnd, conversationSteps);
    };

    // Services join their groups and their start-up queries reach the statistics before the meter starts.
    const costStarted = await options.meter.start({ quietMs: options.pgQuietMs });

    // Burst: every request at once; throughput, with queueing in the end-to-end figures.
    const burstStarted = performance.now();
    const burstIds: string[] = [];
    for (let index = 0; index < options.conversations; index += 1) burstIds.push(await publishOne(index, 'burst'));
    await waitAll(burstIds, burstStarted + options.timeoutMs);
    const burst = measure(burstIds, burstStarted);
    // Trailing offset commits and Redis writes land within a couple of seconds.
    const burstCost = await options.meter.stop(costStarted, { graceMs: 1_000, quietMs: options.pgQuietMs });

    // Paced: a steady trickle at half the burst's capacity; end to end is one conversation's latency.
    steps.clear();
    const rate = options.pacedRate(burst.conversationsPerSecond);
    const pacedStarted = performance.now();
    const pacedIds: string[] = [];
    const total = Math.max(1, Math.round(rate * options.pacedSeconds));
    for (let index = 0; index < total; index += 1) {
      const due = pacedStarted + (index * 1000) / rate;
      await sleep(Math.max(0, due - performance.now()));
      pacedIds.push(await publishOne(index, 'paced'));
    }
    await waitAll(pacedIds, pacedStarted + options.timeoutMs);
    const paced = { ...measure(pacedIds, pacedStarted), ratePerSecond: rate, publishSeconds: options.pacedSeconds };
    return { burst, burstCost, paced };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await Promise.all(services.map((service) => stopService(service)));
    await observer.stop();
    await keyPool.end();
  }
}
