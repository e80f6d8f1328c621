// Issue 12: services that stay up while Kafka, PostgreSQL, Redis or the registry is gone.
//
// The services run as real processes against real dependencies, each seen through a TCP proxy the
// test cuts and restores: a real outage from the service's point of view (reset connections, then
// refused ones). Kafka is a private single-node broker whose advertised listener is its proxy,
// because a client learns the broker addresses from the metadata: a proxy on the shared broker's
// bootstrap address alone would be bypassed. The shared stack is never touched.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  cliPath,
  createTestCodec,
  freePort,
  stackConfig,
  startPrivateBroker,
  startService,
  startTcpProxy,
  stopService,
  testLogger,
  uniqueName,
  waitFor,
  type PrivateBroker,
  type ServiceName,
  type ServiceProcess,
  type TcpProxy,
} from '@supportstream/testing';
import { createConsumerRunner, createKafka, topicOffsets, type ConsumerRunner } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
type Dependency = 'kafka' | 'postgres' | 'redis' | 'registry';
/** The services a how-to question goes through (moderate, triage, research, solution, quality, respond), and analytics. */
const PIPELINE: readonly ServiceName[] = ['triage', 'research', 'solution', 'quality', 'analytics'];
/** Each outage lasts at least this long (the fault run: a 10 s broker outage). */
const OUTAGE_MS = 12_000;

interface Running {
  readonly name: ServiceName;
  readonly process: ServiceProcess;
  readonly metricsPort: number;
}

let broker: PrivateBroker;
const proxies = {} as Record<Exclude<Dependency, 'kafka'>, TcpProxy>;
const running: Running[] = [];
/** Environment of the services: every dependency through its proxy. */
let serviceEnv: Record<string, string>;
/** Environment of the CLI (the test's own client): the shared PostgreSQL, Redis and registry, the private broker. */
let cliEnv: NodeJS.ProcessEnv;
let observer: ConsumerRunner | undefined;
const completed = new Set<string>();

async function cli(...args: string[]): Promise<string> {
  return (await run(process.execPath, [cliPath(), ...args], { env: cliEnv, timeout: 120_000 })).stdout.trim();
}

async function ask(message: string): Promise<string> {
  const output = await cli('ask', '--tenant', 'demo-tenant', '--customer', 'stayup-cust', '--message', message);
  return (JSON.parse(output) as { conversationId: string }).conversationId;
}

function proxied(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.host = proxy.address;
  return parsed.toString();
}

async function start(name: ServiceName, until?: string): Promise<Running> {
  const metricsPort = await freePort();
  const process = await startService(name, { ...serviceEnv, METRICS_PORT: String(metricsPort) }, until ? { until } : {});
  const service = { name, process, metricsPort };
  running.push(service);
  return service;
}

interface Readiness {
  readonly httpStatus: number;
  readonly status: string;
  readonly components: Record<string, { status: string; reason?: string }>;
}

async function readiness(service: Running): Promise<Readiness> {
  const response = await fetch(`http://127.0.0.1:${service.metricsPort}/ready`, { signal: AbortSignal.timeout(3_000) });
  const body = (await response.json()) as Omit<Readiness, 'httpStatus'>;
  return { httpStatus: response.status, ...body };
}

async function dependencyUp(service: Running, dependency: Dependency): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`, { signal: AbortSignal.timeout(3_000) })).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('supportstream_dependency_up{') && candidate.includes(`dependency="${dependency}"`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

const exited = () => running.filter((service) => service.process.child.exitCode !== null);

function expectAllAlive(): void {
  expect(exited().map((service) => `${service.name} exited with ${service.process.child.exitCode}: ${service.process.output.join('').slice(-1500)}`)).toEqual([]);
}

/** Polls `check` until it holds; a service that exits meanwhile ends the wait at once (and fails the test). */
async function whileAlive(check: () => Promise<boolean> | boolean, timeoutMs: number, description: string): Promise<void> {
  await waitFor(async () => exited().length > 0 || (await check()), { timeoutMs, intervalMs: 500, description });
  expectAllAlive();
}

async function waitUntilReady(): Promise<void> {
  await whileAlive(
    async () => {
      const reports = await Promise.all(running.map((service) => readiness(service).catch(() => undefined)));
      return reports.every((report) => report?.httpStatus === 200);
    },
    120_000,
    'every service ready again',
  );
}

/** Cuts one dependency and checks, for every service, that it stays alive, answers 503 naming it and shows it in its gauge. */
async function outage(dependency: Dependency, during: () => Promise<void> = async () => undefined): Promise<void> {
  const proxy = dependency === 'kafka' ? broker.proxy : proxies[dependency];
  const began = Date.now();
  await proxy.cut();
  try {
    await whileAlive(
      async () => {
        const reports = await Promise.all(running.map((service) => readiness(service)));
        return reports.every((report) => report.httpStatus === 503 && report.components[dependency]?.status === 'down');
      },
      30_000,
      `every service to report ${dependency} down in /ready`,
    );
    for (const service of running) expect(await dependencyUp(service, dependency), `${service.name} supportstream_dependency_up{dependency="${dependency}"}`).toBe(0);
    await during();
    await whileAlive(() => Date.now() - began >= OUTAGE_MS, OUTAGE_MS + 120_000, `the ${dependency} outage to last ${OUTAGE_MS} ms`);
  } finally {
    await proxy.restore();
  }
  await waitUntilReady();
  for (const service of running) expect(await dependencyUp(service, dependency)).toBe(1);
}

async function waitForCompletion(conversationId: string): Promise<void> {
  await waitFor(() => completed.has(conversationId), { timeoutMs: 120_000, intervalMs: 250, description: `RunCompleted of ${conversationId}` });
}

/** Messages in the private broker's dead-letter topics: an outage must never dead-letter anything. */
async function deadLetters(): Promise<number> {
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'stayup-dlq', logger: testLogger() });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.endsWith('.dlq'));
    return (await topicOffsets(kafka, topics)).reduce((sum, partition) => sum + Number(partition.high - partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  broker = await startPrivateBroker();
  const shared = { DATABASE_URL: process.env['DATABASE_URL'] ?? '', REDIS_URL: process.env['REDIS_URL'] ?? '', SCHEMA_REGISTRY_URL: process.env['SCHEMA_REGISTRY_URL'] ?? '' };
  const endpoint = (url: string) => {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: Number(parsed.port) };
  };
  proxies.postgres = await startTcpProxy(endpoint(shared.DATABASE_URL));
  proxies.redis = await startTcpProxy(endpoint(shared.REDIS_URL));
  proxies.registry = await startTcpProxy(endpoint(shared.SCHEMA_REGISTRY_URL));
  cliEnv = { ...process.env, KAFKA_BROKERS: broker.brokers.join(',') };
  serviceEnv = {
    KAFKA_BROKERS: broker.brokers.join(','),
    DATABASE_URL: proxied(shared.DATABASE_URL, proxies.postgres),
    REDIS_URL: proxied(shared.REDIS_URL, proxies.redis),
    SCHEMA_REGISTRY_URL: proxied(shared.SCHEMA_REGISTRY_URL, proxies.registry),
    KAFKA_SESSION_TIMEOUT_MS: '10000',
  };
  await cli('topics', 'apply');
  await cli('db', 'migrate');
  await cli('knowledge', 'ingest');

  // Completions as the test sees them, through the broker's proxy too (the runtime's consumer: it recovers after the Kafka outage).
  const logger = testLogger();
  observer = createConsumerRunner({
    kafka: createKafka({ brokers: broker.brokers, clientId: 'stayup-observer', logger }),
    codec: createTestCodec(stackConfig()),
    logger,
    metrics: createMetricsRegistry({}, false),
    groupId: uniqueName('stayup-observer'),
    topics: ['agent.actions'],
    sessionTimeoutMs: 10_000,
    accepts: (route) => route.eventType === 'RunCompleted',
    handlers: {
      RunCompleted: async (event) => {
        completed.add(event.metadata.conversationId);
      },
    },
  });
  await observer.start();

  for (const name of PIPELINE) await start(name);
  await waitUntilReady();
  const warmUp = await ask('How do I reset my password?');
  await waitForCompletion(warmUp);
}, 300_000);

afterAll(async () => {
  for (const proxy of [broker?.proxy, ...Object.values(proxies)]) await proxy?.restore();
  // The drain still works: SIGTERM, then exit 0.
  const codes = await Promise.all(running.map(async (service) => [service.name, await stopService(service.process)] as const));
  await observer?.stop();
  for (const proxy of Object.values(proxies)) await proxy.close();
  await broker?.stop();
  expect(codes.filter(([, code]) => code !== 0)).toEqual([]);
}, 120_000);

describe('services through dependency outages (issue 12)', () => {
  it('stay up through a Kafka outage longer than kafkajs retries, a service started during it included, and finish a conversation submitted during it', async () => {
    let late: Running | undefined;
    let submitted: Promise<string> | undefined;
    const began = Date.now();
    await outage('kafka', async () => {
      late = await start('escalation', 'serving /metrics and /ready');
      const starting = late;
      await whileAlive(
        async () => {
          const report = await readiness(starting);
          return report.httpStatus === 503 && /waiting for Kafka/.test(report.components['startup']?.reason ?? '');
        },
        60_000,
        'the late service to report its start-up waiting for Kafka',
      );
      // Longer than kafkajs' own connection retries (about 35 s), after which a start-up used to exit.
      await whileAlive(() => Date.now() - began >= 40_000, 60_000, 'the first 40 s of the Kafka outage');
      // Submitted while the broker is unreachable: the CLI's producer waits for it (its own retries last about 10 s).
      submitted = ask('How do I reset my password? (asked during the Kafka outage)');
      submitted.catch(() => undefined);
      await whileAlive(() => Date.now() - began >= 45_000, 60_000, 'the Kafka outage to last 45 s');
    });
    await whileAlive(() => late?.process.output.join('').includes('"msg":"service started"') ?? false, 60_000, 'the late service to finish starting');
    const conversationId = await (submitted as Promise<string>);
    await waitForCompletion(conversationId);
    expect(await deadLetters()).toBe(0);
  }, 400_000);

  it('stay up through a PostgreSQL outage, a service started during it included, and finish a conversation submitted during it', async () => {
    let conversationId = '';
    await outage('postgres', async () => {
      // The CLI reaches PostgreSQL directly: only the services lose it.
      conversationId = await ask('How do I reset my password? (asked during the PostgreSQL outage)');
      const late = await start('solution', 'serving /metrics and /ready');
      await whileAlive(async () => /waiting for PostgreSQL/.test((await readiness(late)).components['startup']?.reason ?? ''), 60_000, 'the second solution replica to wait for PostgreSQL');
    });
    await waitForCompletion(conversationId);
    expect(await deadLetters()).toBe(0);
  }, 300_000);

  it('stay up through a Redis outage and finish a conversation submitted during it', async () => {
    let conversationId = '';
    await outage('redis', async () => {
      conversationId = await ask('How do I reset my password? (asked during the Redis outage)');
    });
    await waitForCompletion(conversationId);
    expect(await deadLetters()).toBe(0);
  }, 300_000);

  it('stay up through a schema registry outage and finish a conversation submitted during it', async () => {
    let conversationId = '';
    await outage('registry', async () => {
      conversationId = await ask('How do I reset my password? (asked during the registry outage)');
    });
    await waitForCompletion(conversationId);
    expect(await deadLetters()).toBe(0);
  }, 300_000);
});
