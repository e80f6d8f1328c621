// Checks docker-compose.yml without Docker: it is parsed as YAML and compared with the local stack
// (deploy/local/env.sh), the repo's files and deploy/docker/README.md.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Json {
  if (!isRecord(value)) throw new Error(`${what} is not a mapping`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

function text(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${what} is not a scalar`);
}

/** Compose interpolation with nothing set in the environment: `${VAR:-default}` → default. */
function interpolate(value: string, env: Readonly<Record<string, string>> = {}): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}/g, (match: string, name?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    const set = name !== undefined ? env[name] : undefined;
    if (op === undefined) return set ?? '';
    if (op.endsWith('-')) return set !== undefined && (op === '-' || set !== '') ? set : (arg ?? '');
    if (op.endsWith('+')) return set !== undefined && (op === '+' || set !== '') ? (arg ?? '') : '';
    if (set === undefined || (op === ':?' && set === '')) throw new Error(`required variable ${name ?? ''} is not set`);
    return set;
  });
}

/** Environment as a map, whichever syntax the service uses (mapping or `KEY=value` list). */
function environmentOf(service: Json): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const line = text(entry, 'environment entry');
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(record(env, 'environment')).map(([key, value]) => [key, value === null ? '' : text(value, key)]));
}

interface PublishedPort {
  readonly hostIp: string | undefined;
  readonly host: number;
  readonly container: number;
}

/** `ports` entries, short (`[ip:]host:container[/proto]`) or long syntax, after interpolation. */
function portsOf(service: Json, name: string): PublishedPort[] {
  if (service.ports === undefined) return [];
  return list(service.ports, `${name}.ports`).map((entry) => {
    if (isRecord(entry)) {
      return {
        hostIp: entry.host_ip === undefined ? undefined : interpolate(text(entry.host_ip, 'host_ip')),
        host: Number(interpolate(text(entry.published, `${name} published port`))),
        container: Number(interpolate(text(entry.target, `${name} target port`))),
      };
    }
    const parts = interpolate(text(entry, `${name} port`)).replace(/\/(tcp|udp)$/, '').split(':');
    if (parts.length < 2) throw new Error(`${name}: port ${String(entry)} publishes no fixed host port`);
    const container = Number(parts.pop());
    const host = Number(parts.pop());
    return { hostIp: parts.length > 0 ? parts.join(':') : undefined, host, container };
  });
}

/** Bind-mount sources (`./path:/target[:ro]` or long syntax with type: bind). */
function bindMountsOf(service: Json, name: string): { source: string; target: string }[] {
  if (service.volumes === undefined) return [];
  return list(service.volumes, `${name}.volumes`).flatMap((entry) => {
    if (isRecord(entry)) {
      return entry.type === 'bind' ? [{ source: text(entry.source, 'source'), target: text(entry.target, 'target') }] : [];
    }
    const [source = '', target = ''] = text(entry, `${name} volume`).split(':');
    return source.startsWith('.') || source.startsWith('/') ? [{ source, target }] : [];
  });
}

function namedVolumesOf(service: Json, name: string): string[] {
  if (service.volumes === undefined) return [];
  return list(service.volumes, `${name}.volumes`).flatMap((entry) => {
    if (isRecord(entry)) return entry.type === 'volume' ? [text(entry.source, 'source')] : [];
    const source = text(entry, `${name} volume`).split(':')[0] ?? '';
    return source.startsWith('.') || source.startsWith('/') || source.startsWith('~') ? [] : [source];
  });
}

function commandText(service: Json): string {
  const command = service.command;
  if (command === undefined) return '';
  return Array.isArray(command) ? command.map((part) => text(part, 'command')).join(' ') : text(command, 'command');
}

// --- the files under test -----------------------------------------------------------------------

const composeText = read('docker-compose.yml');
const compose = record(parse(composeText, { merge: true }) as unknown, 'docker-compose.yml');
const services = record(compose.services, 'services');
const service = (name: string): Json => record(services[name], `service ${name}`);
const envSh = read('deploy/local/env.sh');
const dockerReadme = read('deploy/docker/README.md');

/** The local stack's default port for a variable, read from deploy/local/env.sh. */
function localStackPort(variable: string): number {
  const match = new RegExp(`\\$\\{${variable}:-(\\d+)\\}`).exec(envSh);
  if (!match?.[1]) throw new Error(`deploy/local/env.sh does not default ${variable}`);
  return Number(match[1]);
}

const infrastructure = ['kafka', 'schema-registry', 'postgres', 'redis', 'qdrant', 'prometheus', 'grafana'] as const;

describe('docker-compose.yml', () => {
  it('declares the infrastructure services and the one-shot init', () => {
    for (const name of [...infrastructure, 'init']) expect(Object.keys(services), name).toContain(name);
  });

  it('publishes the local stack ports (from deploy/local/env.sh) and the monitoring ports, on 127.0.0.1 only', () => {
    const expected: Record<string, number[]> = {
      kafka: [localStackPort('KAFKA_PORT')],
      'schema-registry': [localStackPort('SCHEMA_REGISTRY_PORT')],
      postgres: [localStackPort('POSTGRES_PORT')],
      redis: [localStackPort('REDIS_PORT')],
      qdrant: [6333, 6334],
      prometheus: [9090],
      grafana: [3000],
      gateway: [8080],
    };
    expect(expected.kafka).toEqual([9092]);
    expect(expected['schema-registry']).toEqual([8081]);
    expect(expected.postgres).toEqual([5432]);
    expect(expected.redis).toEqual([6379]);

    const published: Record<string, number[]> = {};
    for (const [name, value] of Object.entries(services)) {
      const ports = portsOf(record(value, name), name);
      if (ports.length === 0) continue;
      published[name] = ports.map((port) => port.host);
      for (const port of ports) expect(port.hostIp, `${name} binds ${port.host} to 127.0.0.1`).toBe('127.0.0.1');
    }
    expect(published).toEqual(expected);
  });

  it('uses the local stack port variables for the host ports', () => {
    const variables: Record<string, string> = { kafka: 'KAFKA_PORT', 'schema-registry': 'SCHEMA_REGISTRY_PORT', postgres: 'POSTGRES_PORT', redis: 'REDIS_PORT' };
    for (const [name, variable] of Object.entries(variables)) {
      const [entry] = list(service(name).ports, `${name}.ports`);
      expect(text(entry, name), name).toContain(`\${${variable}:-`);
      expect(envSh, `env.sh reads ${variable}`).toContain(`\${${variable}:-`);
    }
  });

  it('runs Kafka 3.9.x in KRaft mode, without ZooKeeper', () => {
    const kafka = service('kafka');
    expect(text(kafka.image, 'kafka.image')).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(Object.keys(services).filter((name) => /zookeeper/i.test(name) || /zookeeper/i.test(String(record(services[name], name).image)))).toEqual([]);

    const env = environmentOf(kafka);
    expect(Object.keys(env).filter((key) => /ZOOKEEPER/.test(key))).toEqual([]);
    expect(env.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
    expect(interpolate(env.CLUSTER_ID ?? '')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093');
    expect(env.KAFKA_LISTENERS).toContain('CONTROLLER://0.0.0.0:9093');
    expect(env.KAFKA_CONTROLLER_LISTENER_NAMES).toBe('CONTROLLER');
    const advertised = interpolate(env.KAFKA_ADVERTISED_LISTENERS ?? '').split(',').map((listener) => listener.replace(/^[A-Z_]+:\/\//, ''));
    expect(advertised.sort()).toEqual(['127.0.0.1:9092', 'kafka:29092']);
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    for (const key of ['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', 'KAFKA_DEFAULT_REPLICATION_FACTOR']) {
      expect(env[key], key).toBe('1');
    }
  });

  it('points the Confluent registry at the compose Kafka with BACKWARD compatibility', () => {
    const registry = service('schema-registry');
    expect(text(registry.image, 'image')).toMatch(/^confluentinc\/cp-schema-registry:/);
    const env = environmentOf(registry);
    expect(env.SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS).toMatch(/kafka:29092$/);
    expect(env.SCHEMA_REGISTRY_SCHEMA_COMPATIBILITY_LEVEL).toBe('backward');
  });

  it('runs PostgreSQL 16 with the supportstream database and Redis 7', () => {
    expect(text(service('postgres').image, 'image')).toMatch(/^postgres:16(\b|$)/);
    const env = environmentOf(service('postgres'));
    expect([env.POSTGRES_DB, env.POSTGRES_USER, env.POSTGRES_PASSWORD]).toEqual(['supportstream', 'supportstream', 'supportstream']);
    expect(text(service('redis').image, 'image')).toMatch(/^redis:7(\b|$)/);
  });

  it('gives every infrastructure service a healthcheck and keeps data in declared named volumes', () => {
    const declared = Object.keys(record(compose.volumes, 'volumes'));
    for (const name of infrastructure) {
      const healthcheck = record(service(name).healthcheck, `${name}.healthcheck`);
      expect(list(healthcheck.test, `${name}.healthcheck.test`).length, name).toBeGreaterThan(1);
    }
    for (const name of ['kafka', 'postgres', 'redis', 'qdrant', 'prometheus', 'grafana']) {
      expect(namedVolumesOf(service(name), name).length, `${name} has a named data volume`).toBeGreaterThan(0);
    }
    for (const [name, value] of Object.entries(services)) {
      for (const volume of namedVolumesOf(record(value, name), name)) expect(declared, `${name} uses volume ${volume}`).toContain(volume);
    }
  });

  it('mounts only paths that exist in the repo, including the Prometheus and Grafana provisioning', () => {
    const mounted = new Map<string, string>();
    for (const [name, value] of Object.entries(services)) {
      for (const { source, target } of bindMountsOf(record(value, name), name)) {
        expect(isAbsolute(source), `${name} mounts a repo path, not ${source}`).toBe(false);
        const path = resolve(repoRoot, source);
        expect(existsSync(path), `${name} mounts ${source}`).toBe(true);
        mounted.set(resolve(repoRoot, source), target);
      }
    }
    const prometheusDir = mounted.get(resolve(repoRoot, 'deploy/prometheus'));
    expect(prometheusDir).toBeDefined();
    expect(commandText(service('prometheus'))).toContain(`--config.file=${prometheusDir ?? ''}/prometheus.yml`);
    expect(statSync(join(repoRoot, 'deploy/prometheus/prometheus.yml')).isFile()).toBe(true);

    expect(mounted.get(resolve(repoRoot, 'deploy/grafana/provisioning'))).toBe('/etc/grafana/provisioning');
    const dashboardsDir = mounted.get(resolve(repoRoot, 'deploy/grafana/dashboards'));
    expect(dashboardsDir).toBeDefined();
    expect(readdirSync(join(repoRoot, 'deploy/grafana/dashboards')).filter((name) => name.endsWith('.json')).length).toBeGreaterThanOrEqual(5);

    // The dashboard provider reads the directory compose mounts the repo's dashboards at.
    const providers = list(record(parse(read('deploy/grafana/provisioning/dashboards/dashboards.yml')) as unknown, 'dashboards.yml').providers, 'providers');
    const paths = providers.map((provider) => text(record(record(provider, 'provider').options, 'options').path, 'path'));
    expect(paths).toEqual([dashboardsDir]);
  });

  it('provisions the Prometheus and PostgreSQL data sources against the compose services', () => {
    const datasources = list(record(parse(read('deploy/grafana/provisioning/datasources/datasources.yml')) as unknown, 'datasources.yml').datasources, 'datasources').map((entry) => record(entry, 'datasource'));
    const byUid = new Map(datasources.map((datasource) => [text(datasource.uid, 'uid'), datasource]));
    const prometheus = byUid.get('prometheus');
    expect(prometheus?.type).toBe('prometheus');
    expect(prometheus?.url).toBe('http://prometheus:9090');
    expect(prometheus?.isDefault).toBe(true);
    const postgres = byUid.get('postgres');
    expect(postgres?.type).toMatch(/^(grafana-postgresql-datasource|postgres)$/);
    expect(postgres?.url).toBe('postgres:5432');
    expect(record(postgres?.jsonData, 'jsonData').database).toBe(environmentOf(service('postgres')).POSTGRES_DB);
    expect(datasources.filter((datasource) => datasource.isDefault === true)).toHaveLength(1);
  });

  it('scrapes Prometheus itself every 15s', () => {
    const config = record(parse(read('deploy/prometheus/prometheus.yml')) as unknown, 'prometheus.yml');
    expect(record(config.global, 'global').scrape_interval).toBe('15s');
    const jobs = list(config.scrape_configs, 'scrape_configs').map((job) => record(job, 'job'));
    const self = jobs.find((job) => job.job_name === 'prometheus');
    expect(self).toBeDefined();
    const targets = list(self?.static_configs, 'static_configs').flatMap((entry) => list(record(entry, 'static_config').targets, 'targets'));
    expect(targets).toContain('localhost:9090');
    expect(new Set(jobs.map((job) => job.job_name)).size).toBe(jobs.length);
  });

  it('scrapes every application service by its compose name (METRICS_PORT 9464, the gateway on its API port) and loads the rule files', () => {
    const targetsOf = (file: string): Map<string, string[]> => {
      const config = record(parse(read(file)) as unknown, file);
      const jobs = list(config.scrape_configs, 'scrape_configs').map((job) => record(job, 'job'));
      return new Map(jobs.map((job) => [text(job.job_name, 'job_name'), list(job.static_configs, 'static_configs').flatMap((entry) => list(record(entry, 'static_config').targets, 'targets').map((target) => text(target, 'target')))]));
    };
    const applications = Object.keys(services).filter((name) => service(name).image === 'supportstream:local' && name !== 'init');
    expect(applications.length).toBeGreaterThanOrEqual(9);
    const compose = targetsOf('deploy/prometheus/prometheus.yml');
    for (const name of applications) {
      const port = name === 'gateway' ? environmentOf(service(name)).GATEWAY_PORT : environmentOf(service(name)).METRICS_PORT;
      expect(port, `${name} sets its metrics port`).toMatch(/^\d+$/);
      expect(compose.get(name), `job ${name}`).toEqual([`${name}:${port ?? ''}`]);
    }
    expect([...compose.keys()].sort()).toEqual(['prometheus', ...applications].sort());

    // The local template: the same jobs, on 127.0.0.1.
    const local = targetsOf('deploy/prometheus/prometheus.local.yml');
    expect([...local.keys()].sort()).toEqual([...compose.keys()].sort());
    for (const [job, targets] of local) if (job !== 'prometheus') for (const target of targets) expect(target, job).toMatch(/^127\.0\.0\.1:\d+$/);
    // … on the ports scripts/services.sh gives the services (the gateway: its API port).
    const servicesSh = read('scripts/services.sh');
    const localPorts = new Map([...servicesSh.matchAll(/\[([a-z]+)\]=(\d+)/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
    localPorts.set('gateway', '8080');
    for (const name of applications) expect(local.get(name), `local job ${name}`).toEqual([`127.0.0.1:${localPorts.get(name) ?? '(no METRICS_PORT in scripts/services.sh)'}`]);

    // Rule files are relative to the config: /etc/prometheus/rules in the container, deploy/prometheus/rules here.
    for (const file of ['deploy/prometheus/prometheus.yml', 'deploy/prometheus/prometheus.local.yml']) {
      const ruleFiles = list(record(parse(read(file)) as unknown, file).rule_files, `${file} rule_files`).map((entry) => text(entry, 'rule file'));
      expect(ruleFiles, file).toEqual(['rules/*.yml']);
    }
    expect(readdirSync(join(repoRoot, 'deploy/prometheus/rules')).filter((name) => name.endsWith('.yml')).sort()).toEqual(['alerts.yml', 'recording.yml']);
  });

  it('applies the topics and registers the schemas in the one-shot init, built from deploy/docker/Dockerfile', () => {
    const init = service('init');
    const command = commandText(init);
    expect(command).toContain('node packages/cli/dist/main.js topics apply');
    expect(command).toContain('node packages/cli/dist/main.js schemas register');
    expect(command.indexOf('topics apply')).toBeLessThan(command.indexOf('schemas register'));

    const build = record(init.build, 'init.build');
    expect(build.context).toBe('.');
    expect(build.dockerfile).toBe('deploy/docker/Dockerfile');
    const dockerfile = read('deploy/docker/Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-slim\b/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toContain('npx turbo run build');
    expect(dockerfile).toContain('packages/cli/dist/main.js');

    const dependsOn = record(init.depends_on, 'init.depends_on');
    expect(record(dependsOn.kafka, 'kafka').condition).toBe('service_healthy');
    expect(record(dependsOn['schema-registry'], 'schema-registry').condition).toBe('service_healthy');
    expect(init.restart).toBe('no');
  });

  it('gives init the client variables of the local stack, pointing at the compose services', () => {
    const localNames = [...envSh.matchAll(/^export ([A-Z_]+)=/gm)].map((match) => match[1]);
    expect(localNames.sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_URL', 'SCHEMA_REGISTRY_URL']);
    const env = environmentOf(service('init'));
    for (const name of localNames) expect(Object.keys(env), name).toContain(name);
    expect(env.KAFKA_BROKERS).toBe('kafka:29092');
    // Confluent serves its API at the root: no Apicurio /apis/ccompat/v7 suffix.
    expect(env.SCHEMA_REGISTRY_URL).toBe('http://schema-registry:8081');
    expect(env.DATABASE_URL).toBe('postgres://supportstream:supportstream@postgres:5432/supportstream');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
  });

  it('has a default or a README entry for every variable it reads', () => {
    const withoutEscapes = composeText.replace(/\$\$/g, '');
    const problems: string[] = [];
    for (const match of withoutEscapes.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const name = match[1] ?? match[3] ?? '';
      const hasDefault = match[2] === ':-' || match[2] === '-';
      if (!hasDefault && !dockerReadme.includes(`\`${name}\``)) problems.push(`${name} has no default and is not in deploy/docker/README.md`);
    }
    expect(problems).toEqual([]);
    // The defaulted ones are documented too.
    const variables = new Set([...withoutEscapes.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? ''));
    expect(variables.size).toBeGreaterThan(0);
    for (const name of variables) expect(dockerReadme, `${name} documented`).toContain(`\`${name}\``);
  });

  it('interpolates like compose', () => {
    expect(interpolate('${A:-x}:${B-y}:${C}:$$')).toBe('x:y::$');
    expect(interpolate('${A:--Xms256m -Xmx1g}')).toBe('-Xms256m -Xmx1g');
    expect(interpolate('${A:-x}', { A: '' })).toBe('x');
    expect(interpolate('${A-x}', { A: '' })).toBe('');
    expect(() => interpolate('${A:?needed}')).toThrow(/A/);
  });

  it('runs every service in services/ from the built image, after init', () => {
    // Every service with a process (src/main.ts); the console is static files the gateway serves.
    const names = readdirSync(join(repoRoot, 'services'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, 'services', entry.name, 'src/main.ts')))
      .map((entry) => entry.name);
    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const name of names) {
      const entry = service(name);
      expect(entry.image, name).toBe('supportstream:local');
      expect(entry.command, name).toEqual(['node', `services/${name}/dist/main.js`]);
      expect(record(record(entry.depends_on, `${name}.depends_on`).init, `${name} after init`).condition).toBe('service_completed_successfully');
      expect(environmentOf(entry).KAFKA_BROKERS, name).toBe('kafka:29092');
    }
  });
});
