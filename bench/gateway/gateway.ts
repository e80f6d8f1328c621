// Gateway benchmark (npm run bench:gateway): POST /v1/requests under autocannon at several
// connection counts, then BENCH_STREAMS concurrent SSE streams held on one gateway with a fan-out
// of changes, all in the namespace SUPPORTSTREAM_NAMESPACE (bench-gateway) on the shared stack.
// Writes bench/results/gateway-<UTC time>.json and bench/GATEWAY_RESULTS.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv, platformEnvSchema } from '@supportstream/config';
import { createPool } from '@supportstream/db';
import { createEventCodec, createEventFactory, TOPIC_NAMES } from '@supportstream/events';
import { createEventProducer, createKafka, namesOf, topicOffsets } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry } from '@supportstream/observability';
import { keyVaultFromEnv } from '@supportstream/privacy';
import { LIVE_SCHEMA } from '@supportstream/projections';
import { callGateway, signTestToken } from '@supportstream/testing';
import { benchCommit } from '../runtime/commit.js';
import { round } from '../runtime/stats.js';
import { findStackProcesses, loadAverage } from '../pipeline/cpuSampler.js';
import { gatewayMarkdown, type GatewayRecord } from './markdown.js';
import { loadRun, warmUp, type RequestLoadRun } from './requestsLoad.js';
import { startBenchService, waitReady, type BenchService } from './services.js';
import { streamsRun, type PublishedChange, type StreamsResult } from './streams.js';
import { epochMs, type StreamTarget } from './streamsProtocol.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got ${process.env[name]})`);
  return value;
};
process.env['SUPPORTSTREAM_NAMESPACE'] ||= 'bench-gateway';
const settings = {
  namespace: process.env['SUPPORTSTREAM_NAMESPACE'],
  requestSeconds: number('BENCH_REQUEST_SECONDS', 20),
  requestConnections: (process.env['BENCH_REQUEST_CONNECTIONS'] ?? '10,50,200').split(',').map((value) => number('BENCH_REQUEST_CONNECTIONS', Number(value))),
  requestWarmupSeconds: number('BENCH_REQUEST_WARMUP_SECONDS', 5),
  requestCustomers: number('BENCH_REQUEST_CUSTOMERS', 1000),
  streams: number('BENCH_STREAMS', 10_000),
  streamConversations: number('BENCH_STREAM_CONVERSATIONS', 1000),
  streamTenants: number('BENCH_STREAM_TENANTS', 10),
  openConcurrency: number('BENCH_OPEN_CONCURRENCY', 100),
  holdSeconds: number('BENCH_HOLD_SECONDS', 60),
  changes: number('BENCH_FANOUT_CHANGES', 200),
  changesPerSecond: number('BENCH_FANOUT_RATE', 20),
  /** Changes right after the gateway's LISTEN connection is terminated (0: skip that phase). */
  reconnectChanges: process.env['BENCH_RECONNECT_CHANGES'] === '0' ? 0 : number('BENCH_RECONNECT_CHANGES', 100),
  heartbeatMs: number('GATEWAY_SSE_HEARTBEAT_MS', 15_000),
  // Each customer watches their conversation from streams/conversations tabs: above the default cap of 5 per credential.
  maxStreamsPerCredential: number('GATEWAY_MAX_STREAMS_PER_CREDENTIAL', 10),
  gatewayLogLevel: process.env['BENCH_GATEWAY_LOG_LEVEL'] ?? 'info',
  cpuProfileDir: process.env['BENCH_CPU_PROFILE_DIR'],
  /** `requests`, `streams` or both (the default). */
  parts: (process.env['BENCH_PARTS'] ?? 'requests,streams').split(',').map((part) => part.trim()),
};
if (settings.parts.length === 0 || settings.parts.some((part) => part !== 'requests' && part !== 'streams')) throw new Error(`BENCH_PARTS must list requests and/or streams (got ${process.env['BENCH_PARTS']})`);
const streamsPerConversation = Math.ceil(settings.streams / settings.streamConversations);
if (streamsPerConversation > settings.maxStreamsPerCredential) {
  throw new Error(`${streamsPerConversation} streams per conversation (one customer each) exceed GATEWAY_MAX_STREAMS_PER_CREDENTIAL=${settings.maxStreamsPerCredential}`);
}

const env = parseEnv(platformEnvSchema);
const logger = createLogger({ service: 'bench-gateway', level: 'warn' });
const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'bench-gateway', logger, namespace: env.SUPPORTSTREAM_NAMESPACE });
const pool = createPool(env.DATABASE_URL, { max: 2, applicationName: 'bench-gateway' });
const logDir = join(ROOT, '.local/bench-gateway');
await mkdir(logDir, { recursive: true });
const RUN_DIRS = [process.env['BENCH_STACK_RUN_DIR'], join(ROOT, '.local/run')].filter((dir): dir is string => !!dir);
const stack = findStackProcesses(RUN_DIRS, new URL(env.REDIS_URL).port || '6379');
const run = Date.now().toString(36);
const jwt = { secret: randomBytes(24).toString('hex'), issuer: 'bench-gateway', audience: 'supportstream-api' };
const log = (line: string) => console.log(`[bench:gateway] ${line}`);
const loadBefore = loadAverage();
const startedAt = performance.now();

const gatewayEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  SUPPORTSTREAM_NAMESPACE: settings.namespace,
  GATEWAY_PORT: '0',
  GATEWAY_JWT_SECRET: jwt.secret,
  GATEWAY_JWT_ISSUER: jwt.issuer,
  GATEWAY_JWT_AUDIENCE: jwt.audience,
  GATEWAY_MAX_STREAMS_PER_CREDENTIAL: String(settings.maxStreamsPerCredential),
  GATEWAY_SSE_HEARTBEAT_MS: String(settings.heartbeatMs),
  LOG_LEVEL: settings.gatewayLogLevel,
  ...extra,
});
/** BENCH_CPU_PROFILE_DIR: each gateway process writes a V8 CPU profile there when it exits (summarise with bench/projections/profileTop.ts). */
const profileArgs = (): string[] => (settings.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(settings.cpuProfileDir)}`]);
const baseUrlOf = (service: BenchService) => `http://127.0.0.1:${String(service.started['port'])}`;

// --- POST /v1/requests -------------------------------------------------------------------------
const cli = (...args: string[]) => execFileSync(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), ...args], { encoding: 'utf8', env: process.env });

async function requestsPart(): Promise<{ warmupAccepted: number; runs: RequestLoadRun[] }> {
  // A service key whose rate limit lets the load through (the default, 120/min, would answer 429).
  const loadKey = (JSON.parse(cli('apikeys', 'create', '--tenant', 'bench-load', '--role', 'service', '--name', `bench-gateway-${run}`, '--rate', '1000000000', '--json')) as { key: string }).key;
  const gateway = await startBenchService(ROOT, 'gateway', gatewayEnv(), logDir, profileArgs());
  await waitReady(`${baseUrlOf(gateway)}/ready`);
  const loadOptions = {
    baseUrl: baseUrlOf(gateway),
    apiKey: loadKey,
    kafka,
    gatewayPid: gateway.pid,
    roots: () => ({ ...stack.roots, gateway: gateway.pid }),
    seconds: settings.requestSeconds,
    customers: settings.requestCustomers,
    timeoutSeconds: 10,
  };
  log(`gateway pid ${gateway.pid} at ${loadOptions.baseUrl}; warm-up ${settings.requestWarmupSeconds} s`);
  const warmupAccepted = await warmUp(loadOptions, settings.requestWarmupSeconds);
  const requestRuns: RequestLoadRun[] = [];
  for (const connections of settings.requestConnections) {
    const result = await loadRun(loadOptions, connections);
    requestRuns.push(result);
    log(
      `POST /v1/requests, ${connections} connections: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms; ` +
        `status ${JSON.stringify(result.statusCodes)}, errors ${result.errors}; records ${result.kafkaRecords} for ${result.accepted} 202s (lost ${result.lost}); CPU ${JSON.stringify(result.cpuPercent)}; RSS ${JSON.stringify(result.gatewayRssMiB)}`,
    );
  }
  await gateway.stop();
  return { warmupAccepted, runs: requestRuns };
}
const requests = settings.parts.includes('requests') ? await requestsPart() : { warmupAccepted: 0, runs: [] };
const requestRuns = requests.runs;

// --- concurrent SSE streams ---------------------------------------------------------------------
async function streamsPart(): Promise<{ result: StreamsResult; gatewayExitCode: number | null }> {
  const projections = await startBenchService(ROOT, 'projections', { SUPPORTSTREAM_NAMESPACE: settings.namespace, LOG_LEVEL: 'info' }, logDir);
  const gateway = await startBenchService(ROOT, 'gateway', gatewayEnv(), logDir, profileArgs());
  const baseUrl = baseUrlOf(gateway);
  await waitReady(`${baseUrl}/ready`);

  // The conversations: each opened by its own customer through the gateway, as the chat page does.
  const targets: StreamTarget[] = [];
  const pending = Array.from({ length: settings.streamConversations }, (_, index) => index);
  const createConversation = async () => {
    for (let index = pending.shift(); index !== undefined; index = pending.shift()) {
      const tenantId = `bench-tenant-${index % settings.streamTenants}`;
      const customerId = `bench-${run}-customer-${index}`;
      const token = await signTestToken(jwt, { sub: customerId, role: 'customer', tenant: tenantId });
      const answer = await callGateway(baseUrl, 'POST', '/v1/requests', { authorization: `Bearer ${token}` }, { message: `Where is my order ${index}?`, channel: 'WEB' });
      if (answer.status !== 202) throw new Error(`creating conversation ${index}: ${answer.status} ${JSON.stringify(answer.json)}`);
      targets.push({ tenantId, customerId, conversationId: String(answer.json['conversationId']) });
    }
  };
  await Promise.all(Array.from({ length: 20 }, createConversation));

  // Projected, and the projector idle: every topic's log read up to its end (the request runs above included).
  const names = namesOf(kafka);
  const waitStarted = Date.now();
  for (;;) {
    const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${LIVE_SCHEMA}.conversations WHERE conversation_id = ANY($1)`, [targets.map((target) => target.conversationId)]);
    const stored = new Map(
      (await pool.query<{ topic: string; partition: number; next_offset: string }>(`SELECT topic, partition, next_offset FROM ${LIVE_SCHEMA}.offsets`)).rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]),
    );
    const behind = (await topicOffsets(kafka, TOPIC_NAMES)).filter((partition) => partition.high > (stored.get(`${names.topic(partition.topic)}:${partition.partition}`) ?? stored.get(`${partition.topic}:${partition.partition}`) ?? 0n));
    if (Number(rows[0]?.count) === targets.length && behind.length === 0) break;
    if (Date.now() - waitStarted > 600_000) throw new Error(`the projector did not catch up within 600 s: ${rows[0]?.count}/${targets.length} conversations, ${behind.length} partitions behind`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 1_000));
  }
  log(`${targets.length} conversations of ${settings.streamTenants} tenants projected; projector idle after ${Math.round((Date.now() - waitStarted) / 1000)} s`);

  // Changes: a follow-up message of the customer, appended to customer.requests as the gateway would.
  const codec = createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, namespace: env.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(env, pool) });
  const producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false) });
  await producer.connect();
  const events = createEventFactory({ producer: 'bench-gateway' });
  const publishChange = async (target: StreamTarget): Promise<PublishedChange> => {
    const requestId = `bench-${randomBytes(8).toString('hex')}`;
    const event = events.create(
      'RequestReceived',
      { channel: 'WEB', customerId: target.customerId, customerTier: 'STANDARD', subject: null, message: 'Any news about my order?', locale: null, attributes: {} },
      { conversationId: target.conversationId, requestId, tenantId: target.tenantId, correlationId: requestId, causationId: null, customerId: target.customerId },
    );
    const publishAt = epochMs();
    await producer.publish([event]);
    return { eventId: event.metadata.eventId, conversationId: target.conversationId, publishAt, ackAt: epochMs() };
  };

  const streams = await streamsRun({
    baseUrl,
    gatewayPid: gateway.pid,
    roots: () => ({ ...stack.roots, gateway: gateway.pid, projections: projections.pid }),
    targets,
    streamsPerTarget: streamsPerConversation,
    concurrency: settings.openConcurrency,
    jwt,
    settleSeconds: 5,
    holdSeconds: settings.holdSeconds,
    changes: settings.changes,
    changesPerSecond: settings.changesPerSecond,
    deliveryTimeoutSeconds: 60,
    publishChange,
    reconnectChanges: settings.reconnectChanges,
    // The gateway's LISTEN connection (application_name gateway-listen, main.ts), killed as a failover or a network cut would.
    terminateListener: async () =>
      (await pool.query<{ pid: number }>("SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE application_name = 'gateway-listen' AND datname = current_database()")).rowCount ?? 0,
    log,
  });
  await producer.disconnect();
  const exitCode = await gateway.stop();
  await projections.stop();
  return { result: streams, gatewayExitCode: exitCode };
}
const streamsOutcome = settings.parts.includes('streams') ? await streamsPart() : undefined;
const streams = streamsOutcome?.result ?? null;
await pool.end();

// --- the record ---------------------------------------------------------------------------------
const recordedAt = new Date().toISOString();
const commit = benchCommit(ROOT);
const command = [
  `BENCH_REQUEST_SECONDS=${settings.requestSeconds}`,
  `BENCH_REQUEST_CONNECTIONS=${settings.requestConnections.join(',')}`,
  `BENCH_REQUEST_WARMUP_SECONDS=${settings.requestWarmupSeconds}`,
  `BENCH_REQUEST_CUSTOMERS=${settings.requestCustomers}`,
  `BENCH_STREAMS=${settings.streams}`,
  `BENCH_STREAM_CONVERSATIONS=${settings.streamConversations}`,
  `BENCH_STREAM_TENANTS=${settings.streamTenants}`,
  `BENCH_OPEN_CONCURRENCY=${settings.openConcurrency}`,
  `BENCH_HOLD_SECONDS=${settings.holdSeconds}`,
  `BENCH_FANOUT_CHANGES=${settings.changes}`,
  `BENCH_FANOUT_RATE=${settings.changesPerSecond}`,
  `BENCH_RECONNECT_CHANGES=${settings.reconnectChanges}`,
  `GATEWAY_SSE_HEARTBEAT_MS=${settings.heartbeatMs}`,
  `GATEWAY_MAX_STREAMS_PER_CREDENTIAL=${settings.maxStreamsPerCredential}`,
  `BENCH_GATEWAY_LOG_LEVEL=${settings.gatewayLogLevel}`,
  `SUPPORTSTREAM_NAMESPACE=${settings.namespace}`,
  'npm run bench:gateway',
].join(' ');
const record: GatewayRecord = {
  recordVersion: 1,
  recordedAt,
  command,
  commit,
  runSeconds: round((performance.now() - startedAt) / 1000, 1),
  machine: { cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadAverage(), openFilesLimit: Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) },
  settings: { ...settings, streamsPerConversation, cpuProfileDir: settings.cpuProfileDir ?? null },
  requests,
  streams,
  gatewayExitCode: streamsOutcome?.gatewayExitCode ?? null,
  sampledProcesses: stack.roots,
};
await mkdir(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `gateway-${recordedAt.replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
// Notes written by hand below the generated part (from the first "## Notes" heading) are kept.
const previous = await readFile(join(ROOT, 'bench/GATEWAY_RESULTS.md'), 'utf8').catch(() => '');
const notesAt = previous.indexOf('\n## Notes');
await writeFile(join(ROOT, 'bench/GATEWAY_RESULTS.md'), gatewayMarkdown(record) + (notesAt === -1 ? '' : previous.slice(notesAt)));
log(`wrote ${file} and bench/GATEWAY_RESULTS.md`);

const lost = requestRuns.reduce((total, result) => total + result.lost, 0);
const held =
  streams === null || (streams.heldAfterHold === streams.attempted && streams.droppedTotal === 0 && streams.fanout.incompleteChanges === 0 && (streams.listenerReconnect?.incompleteChanges ?? 0) === 0);
if (lost > 0) console.error(`[bench:gateway] ${lost} accepted requests have no record on customer.requests`);
if (!held) console.error(`[bench:gateway] not every stream was opened, held and reached: ${JSON.stringify({ attempted: streams?.attempted, held: streams?.heldAfterHold, dropped: streams?.droppedTotal, incomplete: streams?.fanout.incompleteChanges })}`);
process.exit(lost === 0 && held ? 0 : 1);
