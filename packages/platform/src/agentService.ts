import { redisPrefix } from '@supportstream/config';
import { cachedModels, configuredSecrets, createAgentNodes, modelTasksOf, postgresCallCache } from '@supportstream/agents';
import { createPool, transientOrSelf } from '@supportstream/db';
import { createEventCodec, createEventFactory } from '@supportstream/events';
import { buildSupportGraph, type NodeImplementations, type NodeName } from '@supportstream/graph';
import { createConsumerRunner, createEventProducer, createKafka, dependencyChecks, mergeHandlers, redisProcessedEvents, startServiceLifecycle, type ConsumerRunner, type EventProducer } from '@supportstream/kafka';
import { ALL_TENANTS, createLlmMetrics, createModelResolver, deriveCanary, PgAgentSettingsStore, type ModelResolver } from '@supportstream/llm';
import { embedderFromConfig, redisSessionMemory, vectorStoreFromConfig } from '@supportstream/memory';
import { createDependencyMonitor, createLogger, createMetricsRegistry, startMetricsServer, type Logger, type Registry } from '@supportstream/observability';
import { createAgentWorker, createApprovalExpiry, createCheckpointer, createStepRunner, pruneCheckpoints, type ApprovalExpiry, type StepPublisher } from '@supportstream/pipeline';
import { createAgentTools, postgresCrmDirectory } from '@supportstream/tools';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { loadAgentServiceEnv, type AgentServiceEnv } from './environment.js';
import { keyVaultFromEnv } from '@supportstream/privacy';

export interface AgentServiceSpec {
  readonly service: string;
  readonly nodes: readonly NodeName[];
  readonly startsRuns?: boolean;
  /** The approvals service: resumes runs on decisions and expires approvals on time. */
  readonly resumesApprovals?: boolean;
}

export interface AgentRuntime {
  readonly nodes: Required<NodeImplementations>;
  readonly checkpointer: BaseCheckpointSaver;
  /** Queries of the nodes, the settings store, the call cache and the follow-up queue. */
  readonly pool: pg.Pool;
  /** Held by a step for its whole duration (the conversation lock). */
  readonly lockPool: pg.Pool;
  readonly redis: Redis;
  /** The models behind the nodes (one per provider row and model, each with its circuit breaker). */
  readonly resolver: ModelResolver;
  /** The deployment's prompt canary (in every system prompt; a reply holding it never goes out). */
  readonly canary: string;
  close(): Promise<void>;
}

/** The connections an agent runtime runs on; opened without I/O, so a service can watch them before its dependencies answer. */
export interface AgentConnections {
  /** Queries of the nodes, the settings store, the call cache and the follow-up queue. */
  readonly pool: pg.Pool;
  /** Held by a step for its whole duration (the conversation lock). */
  readonly lockPool: pg.Pool;
  readonly checkpointPool: pg.Pool;
  readonly redis: Redis;
  close(): Promise<void>;
}

export function openAgentConnections(env: AgentServiceEnv, name: string, logger: Logger): AgentConnections {
  const onIdleError = (error: Error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed');
  // Separate pools: a step holds its thread lock for its whole duration, and must never keep the
  // checkpointer or the queries of other steps waiting for a connection.
  const pool = createPool(env.DATABASE_URL, { max: 10, applicationName: name, onIdleError });
  // A step holds one lock connection for its whole duration (its checkpoint reads and writes run on
  // it too): as many as the steps in flight.
  const lockPool = createPool(env.DATABASE_URL, { max: env.KAFKA_MAX_IN_FLIGHT + 2, applicationName: `${name}-locks`, onIdleError });
  const checkpointPool = createPool(env.DATABASE_URL, { max: 10, applicationName: `${name}-checkpoints`, onIdleError });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, keyPrefix: redisPrefix(env.SUPPORTSTREAM_NAMESPACE) });
  // ioredis reconnects by itself; without a listener it would print every failed attempt to stderr.
  let redisDown = false;
  redis.on('error', (error: Error) => {
    if (!redisDown) logger.warn({ err: error }, 'Redis connection error; reconnecting');
    redisDown = true;
  });
  redis.on('ready', () => {
    redisDown = false;
  });
  return {
    pool,
    lockPool,
    checkpointPool,
    redis,
    async close() {
      redis.disconnect();
      await Promise.all([pool.end(), lockPool.end(), checkpointPool.end()]);
    },
  };
}

/**
 * Every node's real implementation with its ports built from the environment (models through
 * the settings in PostgreSQL, memory, tools), plus the checkpointer. Services host a subset;
 * the pipeline benchmark runs all of them in one process. With `metrics`, model calls are
 * counted there (llm_* metrics).
 */
export async function createAgentRuntime(env: AgentServiceEnv, name: string, logger: Logger, metrics?: Registry): Promise<AgentRuntime> {
  const connections = openAgentConnections(env, name, logger);
  try {
    return await buildAgentRuntime(env, connections, metrics);
  } catch (error) {
    await connections.close();
    throw error;
  }
}

/** The runtime over connections already open; fails (retriably) while PostgreSQL cannot set up the checkpoint tables. */
export async function buildAgentRuntime(env: AgentServiceEnv, connections: AgentConnections, metrics?: Registry): Promise<AgentRuntime> {
  const { pool, lockPool, checkpointPool, redis } = connections;
  const embedder = embedderFromConfig(env);
  const store = vectorStoreFromConfig(env, { pool });
  const sessions = redisSessionMemory({ redis, ttlSeconds: env.SESSION_TTL_SECONDS, maxInteractions: env.SESSION_MAX_INTERACTIONS });
  const llmMetrics = metrics ? createLlmMetrics(metrics) : undefined;
  // Per deployment (and namespace), revealing nothing of the database URL it is derived from.
  const canary = deriveCanary(env.DATABASE_URL);
  const resolver = createModelResolver({ store: new PgAgentSettingsStore({ pool }), canary, ...(llmMetrics ? { metrics: llmMetrics } : {}) });
  const nodes = createAgentNodes({
    models: cachedModels(resolver, postgresCallCache(pool), llmMetrics ? { metrics: llmMetrics } : {}),
    tone: async (tenantId) => (await resolver.resolve({ task: 'draft', tenantId })).settings.tone,
    sessions,
    store,
    embedder,
    tools: createAgentTools({ crm: postgresCrmDirectory(pool) }),
    terminal: { approvalTtlMs: env.APPROVAL_TTL_MS },
    guardrails: { canary, secrets: configuredSecrets(process.env) },
  });
  const checkpointer = await createCheckpointer(checkpointPool).catch((error: unknown) => {
    throw transientOrSelf(error, 'setting up the checkpoint tables');
  });
  return { nodes, checkpointer, pool, lockPool, redis, resolver, canary, close: () => connections.close() };
}

export interface RunningService {
  readonly metricsPort: number;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Extension points for the composition root; tests inject faults through them, production passes none. */
export interface AgentServiceHooks {
  readonly decoratePublisher?: (publisher: StepPublisher) => StepPublisher;
}

/**
 * Builds one agent service from its environment and runs it until SIGTERM: the graph with the
 * nodes it hosts, the step runner, and a consumer of its trigger topics. Stateless: any number
 * of replicas may run; the conversation lock and the checkpoints live in PostgreSQL. It never
 * exits because a dependency is down: /ready (on the metrics port) says which one while the
 * start-up waits for it, and the consumer holds its messages through an outage.
 */
export async function startAgentService(spec: AgentServiceSpec, env: AgentServiceEnv = loadAgentServiceEnv(), hooks: AgentServiceHooks = {}): Promise<RunningService> {
  const logger = createLogger({ service: spec.service, level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const metrics = createMetricsRegistry({ service: spec.service });
  const connections = openAgentConnections(env, spec.service, logger);
  // Probes on a connection of their own: a service busy with long steps is not reported down.
  const probePool = createPool(env.DATABASE_URL, { max: 1, applicationName: `${spec.service}-health`, connectionTimeoutMs: 2_000, onIdleError: () => undefined });
  const clientId = env.KAFKA_CLIENT_ID ?? spec.service;
  const dependencies = createDependencyMonitor({
    checks: dependencyChecks({ kafka: { brokers: env.KAFKA_BROKERS, clientId }, postgres: probePool, redis: connections.redis, registryUrl: env.SCHEMA_REGISTRY_URL }),
    registry: metrics,
    logger,
  });
  // Served first: while the start-up waits for a dependency, /ready says which one.
  const server = await startMetricsServer(metrics, env.METRICS_PORT, env.METRICS_HOST, { readiness: () => dependencies.report() });
  logger.info({ metricsPort: server.port }, 'serving /metrics and /ready');

  // Built as the start-up gets there; the drain stops what exists so far.
  const built: { pruning?: NodeJS.Timeout; expiry?: ApprovalExpiry; consumer?: ConsumerRunner; producer?: EventProducer } = {};
  const stop = async () => {
    if (built.pruning) clearInterval(built.pruning);
    built.expiry?.stop();
    await built.consumer?.stop();
    await built.producer?.disconnect();
    await server.close();
    await connections.close();
    await probePool.end();
  };
  const lifecycle = startServiceLifecycle({ logger, metrics, monitor: dependencies, stop });

  const runtime = await lifecycle.untilAvailable('PostgreSQL (checkpoint tables)', () => buildAgentRuntime(env, connections, metrics));
  const { pool, lockPool, checkpointer, redis, nodes } = runtime;
  // Build the models of the hosted nodes now, so llm_circuit_open shows their providers from the start.
  for (const task of modelTasksOf(spec.nodes)) {
    await runtime.resolver.resolve({ task, tenantId: ALL_TENANTS }).catch((error: unknown) => logger.warn({ err: error, task }, 'could not build the model of a task yet; it is built at its first call'));
  }
  const hosted: NodeImplementations = Object.fromEntries(spec.nodes.map((name) => [name, nodes[name]]));
  if (spec.resumesApprovals) hosted.escalate = nodes.escalate;

  const graph = buildSupportGraph({ nodes: hosted, checkpointer, expiryPath: env.APPROVAL_EXPIRY_PATH });
  const runner = createStepRunner({ graph, pool: lockPool });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId, logger, namespace: env.SUPPORTSTREAM_NAMESPACE });
  const codec = createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, namespace: env.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(env, pool, logger) });
  const producer = createEventProducer({ kafka, codec, logger, metrics });
  built.producer = producer;
  const factory = createEventFactory({ producer: spec.service });
  const worker = createAgentWorker({
    ...spec,
    runner,
    producer,
    factory,
    logger,
    metrics,
    ...(hooks.decoratePublisher ? { decoratePublisher: hooks.decoratePublisher } : {}),
  });
  const expiry = spec.resumesApprovals ? createApprovalExpiry({ pool, producer, factory, logger, metrics, checkEveryMs: env.APPROVAL_EXPIRY_CHECK_MS, fallbackPath: env.APPROVAL_EXPIRY_PATH }) : undefined;
  const consumer = createConsumerRunner({
    kafka,
    codec,
    logger,
    metrics,
    dependencies,
    groupId: `supportstream-${spec.service}`,
    topics: worker.topics,
    handlers: expiry ? mergeHandlers(expiry.handlers, worker.handlers) : worker.handlers,
    // Route before decoding: what the worker does not want (and the expiry does not read) is acknowledged undecoded.
    accepts: expiry ? (route) => worker.accepts(route) || expiry.accepts(route) : worker.accepts,
    ...(env.DEDUPE_PROCESSED_EVENTS ? { processedEvents: redisProcessedEvents({ redis, prefix: 'processed' }) } : {}),
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    partitionsConsumedConcurrently: env.KAFKA_PARTITIONS_CONCURRENCY,
    maxInFlight: env.KAFKA_MAX_IN_FLIGHT,
  });
  built.consumer = consumer;
  if (expiry) built.expiry = expiry;

  // One service applies the checkpoint retention policy on a timer; the others never prune.
  if (spec.resumesApprovals && env.CHECKPOINT_PRUNE_INTERVAL_MS > 0) {
    let busy = false;
    const pruning = setInterval(() => {
      if (busy) return;
      busy = true;
      pruneCheckpoints(graph, pool, { idleDays: env.CHECKPOINT_IDLE_DAYS })
        .then((report) => {
          if (report.threads > 0 || report.cachedCalls > 0) logger.info({ report }, 'checkpoint retention applied');
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'checkpoint retention failed; will retry'))
        .finally(() => {
          busy = false;
        });
    }, env.CHECKPOINT_PRUNE_INTERVAL_MS);
    pruning.unref();
    built.pruning = pruning;
  }

  await lifecycle.untilAvailable('the schema registry', () => codec.prepare());
  await lifecycle.untilAvailable('Kafka (producer)', () => producer.connect());
  await lifecycle.untilAvailable('Kafka (consumer group)', () => consumer.start());
  expiry?.start();
  lifecycle.started({ nodes: spec.nodes, metricsPort: server.port });
  return { metricsPort: server.port, logger, stop };
}
