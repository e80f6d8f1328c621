// Runs every agent service of the pipeline in one process against the real stack, on topics
// with a unique prefix: what the separate services do, minus the process boundaries.
import { runMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { createEventFactory, EVENT_TYPES, topicOf, type EventCodec, type SupportEvent } from '@supportstream/events';
import { buildSupportGraph, type NodeImplementations, type NodeName } from '@supportstream/graph';
import { createConsumerRunner, createEventProducer, createKafka, mergeHandlers, type ConsumerRunner, type EventProducer } from '@supportstream/kafka';
import { createMetricsRegistry, type Registry } from '@supportstream/observability';
import { createTopics, deleteTopics, stackConfig, testLogger, uniqueName, createTestCodec } from '@supportstream/testing';
import { createCheckpointer } from '../src/checkpointer.js';
import { createStepRunner } from '../src/stepRunner.js';
import { createApprovalExpiry } from '../src/approvalExpiry.js';
import { createAgentWorker } from '../src/worker.js';

export interface ServiceSpec {
  readonly service: string;
  readonly nodes: readonly NodeName[];
  readonly startsRuns?: boolean;
  readonly resumesApprovals?: boolean;
}

export const SERVICES: readonly ServiceSpec[] = [
  { service: 'triage', nodes: ['moderate', 'triage', 'fallback'], startsRuns: true },
  { service: 'research', nodes: ['research'] },
  { service: 'solution', nodes: ['solution'] },
  { service: 'quality', nodes: ['quality', 'respond'] },
  { service: 'escalation', nodes: ['escalate', 'handoff'] },
  { service: 'approvals', nodes: [], resumesApprovals: true },
];

export interface Harness {
  readonly prefix: string;
  readonly codec: EventCodec;
  readonly metrics: Registry;
  readonly producer: EventProducer;
  /** Every event the pipeline produced, in arrival order. */
  readonly seen: SupportEvent[];
  readonly db: ScratchSchema;
  topic(name: string): string;
  stop(): Promise<void>;
}

export async function startHarness(nodes: NodeImplementations, services: readonly ServiceSpec[] = SERVICES): Promise<Harness> {
  const config = stackConfig();
  const logger = testLogger();
  const prefix = uniqueName('pl');
  const topic = (name: string) => `${prefix}.${name}`;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: prefix, logger });
  const codec = createTestCodec(config);
  const metrics = createMetricsRegistry({}, false);
  const topicNames = [...new Set(EVENT_TYPES.map((type) => topic(topicOf(type))))];
  await createTopics(kafka, topicNames, 3);

  const db = await createScratchSchema('pipeline');
  await runMigrations(db.pool, { schema: db.schema });
  const checkpointer = await createCheckpointer(db.pool, db.schema);
  const graph = buildSupportGraph({ nodes, checkpointer });
  // Locks hold a connection for a whole step; the checkpointer must never wait behind them.
  const runner = createStepRunner({ graph, pool: db.newPool({ max: 12 }) });
  const producer = createEventProducer({ kafka, codec, logger, metrics, topicFor: (event) => topic(topicOf(event.type)) });
  await producer.connect();
  const factory = createEventFactory({ producer: 'pipeline-test' });

  const runners: ConsumerRunner[] = [];
  const expiries: { stop(): void }[] = [];
  for (const spec of services) {
    // Each service announces its steps under its own name, as in production (a chain's own hand-offs are skipped by it).
    const worker = createAgentWorker({ ...spec, runner, producer, factory: createEventFactory({ producer: spec.service }), logger, metrics, maxAttempts: 4 });
    const expiry = spec.resumesApprovals ? createApprovalExpiry({ pool: db.pool, producer, factory, logger, metrics, checkEveryMs: 200, fallbackPath: 'handoff' }) : undefined;
    if (expiry) {
      expiry.start();
      expiries.push(expiry);
    }
    const handlers = expiry ? mergeHandlers(expiry.handlers, worker.handlers) : worker.handlers;
    const consumer = createConsumerRunner({
      kafka,
      codec,
      logger,
      metrics,
      groupId: `${prefix}-${spec.service}`,
      topics: worker.topics.map(topic),
      handlers,
      accepts: expiry ? (route) => worker.accepts(route) || expiry.accepts(route) : worker.accepts,
      retry: { retries: 3, minDelayMs: 50, maxDelayMs: 500 },
    });
    runners.push(consumer);
  }
  const seen: SupportEvent[] = [];
  const collect = (event: SupportEvent) => {
    seen.push(event);
    return Promise.resolve();
  };
  const observer = createConsumerRunner({
    kafka,
    codec,
    logger,
    metrics: createMetricsRegistry({}, false),
    groupId: `${prefix}-observer`,
    topics: topicNames,
    handlers: Object.fromEntries(EVENT_TYPES.map((type) => [type, collect])),
  });
  runners.push(observer);
  await Promise.all(runners.map((consumer) => consumer.start()));

  return {
    prefix,
    codec,
    metrics,
    producer,
    seen,
    db,
    topic,
    async stop() {
      for (const expiry of expiries) expiry.stop();
      await Promise.all(runners.map((consumer) => consumer.stop()));
      await producer.disconnect();
      await deleteTopics(kafka, topicNames);
      await db.drop();
    },
  };
}
