// The dashboards against the running platform: every service as a real process with its metrics
// port, a demo (a how-to question, a refund approved, a refund rejected, a refund left waiting, a
// poison message that ends in a DLQ, a few refused HTTP requests), and a real Prometheus (Debian's
// package, deploy/local/prometheus.sh) scraping them every second with the repo's rule files.
// Every PromQL query of every Grafana panel must return data, every PostgreSQL panel's SQL must
// run and return rows, and the alert and recording rules must load and pass promtool.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPool, type Pool } from '@supportstream/db';
import { AGENT_SERVICES, cliPath, EDGE_SERVICES, freePort, produceRaw, startService, stopService, testKafka, uniqueName, waitFor, type ServiceName, type ServiceProcess } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadDashboards, loadRuleGroups, panelQueries, PROMETHEUS_DIR, REPO_ROOT, variableQueries, type PanelQuery } from './monitoring.js';

const run = promisify(execFile);
const TENANT = 'demo-tenant';
const PROMETHEUS_NAME = 'prometheus-e2e';
/** Every service of the platform; analytics folds system.analytics and polls the consumer groups' lag. */
const SERVICES: readonly ServiceName[] = [...new Set<ServiceName>(['projections', ...AGENT_SERVICES, ...EDGE_SERVICES])];

const services: ServiceProcess[] = [];
const metricsPorts = new Map<string, number>();
let prometheus = '';
let gateway = '';
let pool: Pool;
let receiver: Server;
let serviceKey = '';
let supervisorKey = '';
let pendingApproval = '';

async function cli(...args: string[]): Promise<string> {
  return (await run(process.execPath, [cliPath(), ...args], { env: process.env, timeout: 120_000 })).stdout.trim();
}

/** deploy/local/prometheus.sh; the first run installs Debian's prometheus package (apt-get). */
async function prometheusSh(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [join(REPO_ROOT, 'deploy/local/prometheus.sh'), ...args], { cwd: REPO_ROOT, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`deploy/local/prometheus.sh ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, { cause: error });
  }
}

async function promApi<T>(path: string): Promise<T> {
  const response = await fetch(prometheus + path, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
  return body.data;
}

interface Series {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  readonly values?: [number, string][];
}
interface QueryData {
  readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  readonly result: Series[] | [number, string];
}

function sampleValues(data: QueryData): string[] {
  if (data.resultType === 'scalar' || data.resultType === 'string') return [(data.result as [number, string])[1]];
  return (data.result as Series[]).flatMap((series) => (series.value ? [series.value[1]] : (series.values ?? []).map(([, value]) => value)));
}

/** Undefined when the query returns at least one finite sample, else why not. */
async function missingData(query: string): Promise<string | undefined> {
  let data: QueryData;
  try {
    data = await promApi<QueryData>(`/api/v1/query?query=${encodeURIComponent(query)}`);
  } catch (error) {
    return `query error: ${error instanceof Error ? error.message : String(error)}`;
  }
  const values = sampleValues(data);
  if (values.length === 0) return 'no series';
  return values.some((value) => Number.isFinite(Number(value))) ? undefined : `only ${[...new Set(values)].join(', ')}`;
}

async function api(method: string, path: string, key: string | undefined, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(gateway + path, {
    method,
    headers: { ...(key === undefined ? {} : { 'x-api-key': key }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function submit(customerId: string, message: string): Promise<string> {
  const submitted = await api('POST', '/v1/requests', serviceKey, { customerId, message, channel: 'WEB' });
  expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
  return String(submitted.json['conversationId']);
}

async function conversation(id: string, ready: (row: { status: string | null; outcome: string | null }) => boolean): Promise<{ status: string | null; outcome: string | null }> {
  return waitFor(
    async () => {
      const { rows } = await pool.query<{ status: string | null; outcome: string | null }>('SELECT status, outcome FROM read_model.conversations WHERE conversation_id = $1', [id]);
      return rows[0] && ready(rows[0]) ? rows[0] : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: `conversation ${id} in the read model` },
  );
}

async function pendingApprovalOf(conversationId: string): Promise<string> {
  await conversation(conversationId, (row) => row.status === 'AWAITING_APPROVAL');
  return waitFor(
    async () => {
      const { rows } = await pool.query<{ approval_id: string }>("SELECT approval_id FROM read_model.approvals WHERE conversation_id = $1 AND status = 'PENDING'", [conversationId]);
      return rows[0]?.approval_id;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: `the pending approval of ${conversationId}` },
  );
}

/** A Prometheus config from the local template: 1 s scrapes, the ports this test chose, absolute rule paths. */
function writePrometheusConfig(prometheusPort: number): string {
  const template = parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus.local.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  template.global = { ...template.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  template.rule_files = template.rule_files.map((pattern) => join(PROMETHEUS_DIR, pattern));
  for (const job of template.scrape_configs) {
    const port = job.job_name === 'prometheus' ? prometheusPort : metricsPorts.get(job.job_name);
    if (port === undefined) throw new Error(`prometheus.local.yml scrapes job ${job.job_name}, which this test does not start`);
    job.static_configs = [{ targets: [`127.0.0.1:${port}`] }];
  }
  const jobs = new Set(template.scrape_configs.map((job) => job.job_name));
  for (const name of SERVICES) if (!jobs.has(name)) throw new Error(`prometheus.local.yml has no job for ${name}`);
  const file = join(REPO_ROOT, '.local/conf/prometheus-e2e.yml');
  writeFileSync(file, `# Written by deploy/dashboards.e2e.test.ts from deploy/prometheus/prometheus.local.yml\n${stringify(template)}`);
  return file;
}

let configFile = '';

beforeAll(async () => {
  await cli('db', 'migrate');
  await cli('knowledge', 'ingest');
  pool = createPool(process.env['DATABASE_URL'] ?? 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream', { max: 2 });

  // A webhook receiver for the notifier, so deliveries are real.
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  for (const name of SERVICES) metricsPorts.set(name, await freePort());
  const prometheusPort = await freePort();
  prometheus = `http://127.0.0.1:${prometheusPort}`;
  gateway = `http://127.0.0.1:${metricsPorts.get('gateway') ?? 0}`;
  mkdirSync(join(REPO_ROOT, '.local/conf'), { recursive: true });
  configFile = writePrometheusConfig(prometheusPort);
  // Prometheus first, so the rates see the demo's traffic from its start (an instance left by an aborted run is stopped).
  await prometheusSh('stop', '--name', PROMETHEUS_NAME);
  await prometheusSh('start', '--name', PROMETHEUS_NAME, '--config', configFile, '--port', String(prometheusPort), '--fresh');

  for (const name of SERVICES) {
    const port = String(metricsPorts.get(name));
    const env: Record<string, string> = { METRICS_PORT: port, KAFKA_SESSION_TIMEOUT_MS: '10000' };
    if (name === 'gateway') Object.assign(env, { METRICS_PORT: '0', GATEWAY_PORT: port, GATEWAY_JWT_SECRET: `e2e-${uniqueName('jwt')}-0123456789abcdef`, GATEWAY_JWT_ISSUER: 'supportstream-e2e', GATEWAY_JWT_AUDIENCE: 'supportstream-api', GATEWAY_RATE_LIMIT_PER_MINUTE: '600' });
    if (name === 'notifier') Object.assign(env, { NOTIFIER_WEBHOOK_SECRET: 'e2e-webhook-secret-0123', NOTIFIER_REPLY_WEBHOOK_URL: `${hook}/replies`, NOTIFIER_ALERT_WEBHOOK_URL: `${hook}/alerts` });
    services.push(await startService(name, env));
  }
  serviceKey = (JSON.parse(await cli('apikeys', 'create', '--tenant', TENANT, '--role', 'service', '--name', uniqueName('e2e-dashboards-service'), '--json')) as { key: string }).key;
  supervisorKey = (JSON.parse(await cli('apikeys', 'create', '--tenant', TENANT, '--role', 'supervisor', '--name', uniqueName('e2e-dashboards-supervisor'), '--json')) as { key: string }).key;

  await waitFor(
    async () => {
      const { activeTargets } = await promApi<{ activeTargets: { labels: { job: string }; health: string; lastError: string }[] }>('/api/v1/targets');
      return activeTargets.length === SERVICES.length + 1 && activeTargets.every((target) => target.health === 'up') ? activeTargets : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, description: 'every target up in Prometheus' },
  );
}, 900_000);

afterAll(async () => {
  // Leave no approval waiting for the next run: reject the one the demo kept pending.
  if (pendingApproval && supervisorKey) await api('POST', `/v1/approvals/${pendingApproval}/decision`, supervisorKey, { decision: 'REJECTED', comment: 'e2e clean-up' }).catch(() => undefined);
  const codes = await Promise.all(services.map((service) => stopService(service)));
  await prometheusSh('stop', '--name', PROMETHEUS_NAME).catch((error: unknown) => console.error(error));
  if (receiver) await new Promise((resolve) => receiver.close(resolve));
  await pool?.end();
  // Each service drains and exits 0 on SIGTERM; name the ones that did not, with their last output.
  const unclean = services.flatMap((service, index) => (codes[index] === 0 ? [] : [`${service.name} exited ${String(codes[index])}: ${service.output.join('').slice(-1500)}`]));
  expect(unclean).toEqual([]);
}, 120_000);

describe('dashboards and rules against the running platform', () => {
  it('runs the demo: a how-to question, refunds approved, rejected and left waiting, a poison message, refused HTTP requests', async () => {
    const howTo = await submit('cust-42', 'How do I reset my password? I cannot sign in.');
    const approved = await submit('cust-42', 'I was charged twice for order 1001. Please refund the duplicate charge.');
    const rejected = await submit('cust-42', 'I was charged twice for order 1001. Please refund the duplicate charge.');
    const waiting = await submit('cust-42', 'I was charged twice for order 1001. Please refund the duplicate charge.');
    // Undecodable bytes on customer.requests: the consumers dead-letter them to customer.requests.dlq.
    await produceRaw(testKafka('e2e-dashboards'), 'customer.requests', [{ key: uniqueName('poison'), value: Buffer.from('not an Avro record') }]);

    expect((await conversation(howTo, (row) => row.outcome !== null)).outcome).toBe('RESOLVED');

    const toApprove = await pendingApprovalOf(approved);
    expect((await api('POST', `/v1/approvals/${toApprove}/decision`, supervisorKey, { decision: 'APPROVED', comment: 'duplicate confirmed' })).status).toBe(202);
    const toReject = await pendingApprovalOf(rejected);
    expect((await api('POST', `/v1/approvals/${toReject}/decision`, supervisorKey, { decision: 'REJECTED', comment: 'not a duplicate' })).status).toBe(202);
    pendingApproval = await pendingApprovalOf(waiting);

    expect((await conversation(approved, (row) => row.outcome !== null)).status).toBe('RESOLVED_AFTER_APPROVAL');
    expect((await conversation(rejected, (row) => row.outcome !== null)).outcome).not.toBe('RESOLVED_AFTER_APPROVAL');

    // Refused requests: no credentials (401), a malformed body (400).
    expect((await api('GET', `/v1/conversations/${howTo}`, undefined)).status).toBe(401);
    expect((await api('POST', '/v1/requests', serviceKey, '{"message": ')).status).toBe(400);
    expect((await api('GET', `/v1/conversations/${howTo}`, serviceKey)).status).toBe(200);

    // A rate needs an increase between two scrapes. The pipeline is fast enough now that all the
    // conversations above can finish between two scrapes, so each series would first appear with
    // its final count and every rate() over it stay 0 (a latency quantile NaN). One more
    // conversation, once Prometheus holds the series, makes them increase as live traffic does.
    await waitFor(async () => (await missingData('llm_request_duration_seconds_count')) === undefined, { timeoutMs: 60_000, intervalMs: 500, description: 'Prometheus to scrape the model-call series' });
    const later = await submit('cust-42', 'How do I reset my password? I cannot sign in.');
    expect((await conversation(later, (row) => row.outcome !== null)).outcome).toBe('RESOLVED');
  }, 240_000);

  it('every PromQL query of every dashboard panel returns data', async () => {
    const dashboards = loadDashboards();
    const queries = dashboards.flatMap(panelQueries).filter((query) => query.kind === 'prometheus');
    const variables = dashboards.flatMap((dashboard) => variableQueries(dashboard).map((variable) => ({ dashboard: dashboard.title, panel: `variable $${variable.name}`, refId: '-', query: variable.query })));
    expect(queries.length).toBeGreaterThan(40);
    const check = async () => {
      const checked = await Promise.all([...queries, ...variables].map(async (query: Pick<PanelQuery, 'dashboard' | 'panel' | 'refId' | 'query'>) => ({ query, why: await missingData(query.query) })));
      return checked.filter((entry) => entry.why !== undefined).map(({ query, why }) => `${query.dashboard} / ${query.panel} [${query.refId}] (${why ?? ''}): ${query.query}`);
    };
    // Bounded: the analytics service polls the lag every 15 s and rolls its aggregates; rules evaluate every second.
    const deadline = Date.now() + 150_000;
    let failures = await check();
    while (failures.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      failures = await check();
    }
    if (failures.length > 0) console.error(`panels without data (${failures.length}):\n  ${failures.join('\n  ')}`);
    expect(failures).toEqual([]);
  }, 200_000);

  it('every PostgreSQL panel query runs and returns rows', async () => {
    const queries = loadDashboards()
      .flatMap(panelQueries)
      .filter((query) => query.kind === 'postgres');
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    for (const query of queries) {
      try {
        const { rowCount } = await pool.query(query.query);
        if (!rowCount) failures.push(`${query.dashboard} / ${query.panel}: no rows: ${query.query}`);
      } catch (error) {
        failures.push(`${query.dashboard} / ${query.panel}: ${error instanceof Error ? error.message : String(error)}: ${query.query}`);
      }
    }
    if (failures.length > 0) console.error(`PostgreSQL panels failing (${failures.length}):\n  ${failures.join('\n  ')}`);
    expect(failures).toEqual([]);
  }, 60_000);

  it('loads every rule group from the rule files, all healthy, and fires the DLQ alert', async () => {
    const expected = loadRuleGroups();
    type Loaded = { groups: { name: string; file: string; rules: { name: string; health: string; lastError?: string; type: string; state?: string }[] }[] };
    const loaded = await waitFor(
      async () => {
        const data = await promApi<Loaded>('/api/v1/rules');
        return data.groups.every((group) => group.rules.every((rule) => rule.health !== 'unknown')) ? data : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'every rule evaluated once' },
    );
    expect(loaded.groups.map((group) => group.name).sort()).toEqual(expected.map((group) => group.name).sort());
    for (const group of expected) {
      const found = loaded.groups.find((entry) => entry.name === group.name);
      expect(found?.rules.map((rule) => rule.name)).toEqual(group.rules.map((rule) => rule.record ?? rule.alert));
    }
    const unhealthy = loaded.groups.flatMap((group) => group.rules.filter((rule) => rule.health !== 'ok').map((rule) => `${group.name}/${rule.name}: ${rule.health} ${rule.lastError ?? ''}`));
    expect(unhealthy).toEqual([]);

    const alerts = await waitFor(
      async () => {
        const { alerts: active } = await promApi<{ alerts: { labels: Record<string, string>; state: string }[] }>('/api/v1/alerts');
        return active.some((alert) => alert.labels['alertname'] === 'KafkaDeadLetterQueueNotEmpty' && alert.labels['topic'] === 'customer.requests.dlq' && alert.state === 'firing') ? active : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'KafkaDeadLetterQueueNotEmpty firing for customer.requests.dlq' },
    );
    expect(alerts.length).toBeGreaterThan(0);
  }, 120_000);

  it('passes promtool: the configs (compose, local, this test), the rule files and the rules unit tests', async () => {
    const checked = await prometheusSh('check');
    expect(checked).toMatch(/SUCCESS: .*prometheus\.yml is valid/);
    expect(checked).toMatch(/SUCCESS: .*prometheus\.local\.yml is valid/);
    expect(checked).toMatch(/Unit Testing:\s+alerts\.test\.yml\s+SUCCESS/);
    expect(await prometheusSh('check', '--config', configFile)).toMatch(/SUCCESS: .*prometheus-e2e\.yml is valid/);
  }, 120_000);
});
