import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, TransientError } from '@supportstream/errors';
import kafkajs, { type Admin } from 'kafkajs';
import pRetry from 'p-retry';
import { kafkajsOf, namesOf, type KafkaClient } from './client.js';
import { defaultDeadLetterTopic } from './deadLetter.js';

// kafkajs is CommonJS and Node cannot see this export by name from ESM.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** One file in `topics/`: a topic, its configuration and its dead-letter topic. */
export interface TopicDeclaration {
  readonly name: string;
  readonly description?: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
  readonly deadLetter?: { readonly partitions: number; readonly config: Readonly<Record<string, string>> };
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export type TopicChange =
  | { readonly kind: 'created'; readonly topic: string; readonly detail: string }
  | { readonly kind: 'partitions-increased'; readonly topic: string; readonly detail: string }
  | { readonly kind: 'config-updated'; readonly topic: string; readonly detail: string }
  | { readonly kind: 'adjusted'; readonly topic: string; readonly detail: string }
  | { readonly kind: 'drift'; readonly topic: string; readonly detail: string }
  | { readonly kind: 'unchanged'; readonly topic: string; readonly detail: string };

export interface TopicReport {
  readonly changes: readonly TopicChange[];
  /** Differences that `apply` cannot fix (fewer partitions, replication factor) or, in check mode, any difference. */
  readonly drift: readonly TopicChange[];
}

function assertDeclaration(value: unknown, source: string): TopicDeclaration {
  const problems: string[] = [];
  const object = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof object['name'] !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(object['name'])) problems.push('name must be a legal topic name');
  for (const key of ['partitions', 'replicationFactor']) {
    if (!Number.isInteger(object[key]) || (object[key] as number) < 1) problems.push(`${key} must be a positive integer`);
  }
  const isStringMap = (map: unknown) => typeof map === 'object' && map !== null && Object.values(map).every((entry) => typeof entry === 'string');
  if (!isStringMap(object['config'])) problems.push('config must map config names to string values');
  const dlq = object['deadLetter'] as Record<string, unknown> | undefined;
  if (dlq !== undefined && (!Number.isInteger(dlq['partitions']) || !isStringMap(dlq['config']))) problems.push('deadLetter needs partitions and config');
  if (problems.length > 0) throw new InvalidInputError('TOPIC_DECLARATION_INVALID', `${source}: ${problems.join('; ')}`);
  return object as unknown as TopicDeclaration;
}

export async function loadTopicDeclarations(dir: string): Promise<TopicDeclaration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  const declarations: TopicDeclaration[] = [];
  for (const file of files) {
    const declaration = assertDeclaration(JSON.parse(await readFile(join(dir, file), 'utf8')), file);
    if (`${declaration.name}.json` !== file) throw new InvalidInputError('TOPIC_DECLARATION_INVALID', `${file}: file name must be <topic name>.json`);
    declarations.push(declaration);
  }
  return declarations;
}

/** A declaration becomes the topic and its dead-letter topic (which keeps the main topic's settings it does not override). */
export function expandDeclarations(declarations: readonly TopicDeclaration[]): TopicSpec[] {
  return declarations.flatMap((declaration) => {
    const main: TopicSpec = { name: declaration.name, partitions: declaration.partitions, replicationFactor: declaration.replicationFactor, config: declaration.config };
    if (!declaration.deadLetter) return [main];
    const dlq: TopicSpec = {
      name: defaultDeadLetterTopic(declaration.name),
      partitions: declaration.deadLetter.partitions,
      replicationFactor: declaration.replicationFactor,
      config: declaration.deadLetter.config,
    };
    return [main, dlq];
  });
}

/**
 * On a cluster smaller than the declared replication factor (a one-broker dev stack), the
 * factor and min.insync.replicas are lowered to what the cluster can satisfy, and said so. A
 * cluster with as many brokers as declared (the local stack's STACK_BROKERS=3) keeps them.
 */
export function fitToCluster(spec: TopicSpec, brokers: number): { spec: TopicSpec; note?: string } {
  if (spec.replicationFactor <= brokers) return { spec };
  const replicationFactor = brokers;
  const config = { ...spec.config };
  const minIsr = config['min.insync.replicas'];
  const lowersMinIsr = minIsr !== undefined && Number(minIsr) > replicationFactor;
  if (lowersMinIsr) config['min.insync.replicas'] = String(replicationFactor);
  return {
    spec: { ...spec, replicationFactor, config },
    note:
      `replication factor ${spec.replicationFactor} lowered to ${replicationFactor} (cluster has ${brokers} broker${brokers === 1 ? '' : 's'})` +
      (lowersMinIsr ? `, min.insync.replicas ${minIsr} to ${replicationFactor}` : ''),
  };
}

/**
 * The number of brokers comes from the cluster's metadata, which lists only the live ones. A
 * broker that is down but still holds replicas of existing topics means the cluster is bigger than
 * it looks: fitting the declarations to the live brokers would create topics that stay
 * under-replicated when it returns, so this refuses instead (retriable: start the broker).
 */
export function assertNoBrokerMissing(specs: readonly TopicSpec[], liveBrokers: readonly number[], replicaHolders: readonly number[]): void {
  const live = new Set(liveBrokers);
  const missing = [...new Set(replicaHolders)].filter((id) => !live.has(id)).sort((a, b) => a - b);
  const needLowering = specs.filter((spec) => spec.replicationFactor > live.size);
  if (missing.length === 0 || needLowering.length === 0) return;
  const declared = Math.max(...needLowering.map((spec) => spec.replicationFactor));
  throw new TransientError(
    'KAFKA_BROKER_MISSING',
    `the cluster lists ${live.size} live broker(s) (${[...live].sort((a, b) => a - b).join(', ')}), but existing topics also have replicas on broker(s) ${missing.join(', ')}, ` +
      `which ${missing.length === 1 ? 'is' : 'are'} down or fenced. Declared replication factor ${declared} does not fit the live brokers, and lowering it now would leave ` +
      `${needLowering.length} topic(s) under-replicated for good: start broker(s) ${missing.join(', ')} and run again.`,
    { details: { liveBrokers: [...live], missingBrokers: missing } },
  );
}

async function fetchMetadata(admin: Admin, topics: readonly string[]): ReturnType<Admin['fetchTopicMetadata']> {
  return topics.length > 0 ? admin.fetchTopicMetadata({ topics: [...topics] }) : { topics: [] };
}

/**
 * Waits until every partition of new topics has a leader. kafkajs' own `waitForLeaders` asks one
 * broker right after the creation and gives up on UNKNOWN_TOPIC_OR_PARTITION, which a cluster's
 * broker answers until the controllers' metadata reaches it, though the topics exist (seen on the
 * local 3-broker stack): so this asks again, with bounded backoff.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  await pRetry(
    async () => {
      // Listing first: a broker that does not know a topic yet leaves it out of the list, where
      // asking for its metadata gets an error that kafkajs logs at ERROR level.
      const listed = new Set(await admin.listTopics());
      const unlisted = topics.filter((name) => !listed.has(name));
      if (unlisted.length > 0) throw new TransientError('TOPIC_LEADERS_PENDING', `not in the metadata yet: ${unlisted.join(', ')}`);
      const described = (await admin.fetchTopicMetadata({ topics: [...topics] })).topics;
      const waiting = [
        ...topics.filter((name) => !described.some((topic) => topic.name === name)),
        ...described.flatMap((topic) => topic.partitions.filter((partition) => partition.leader < 0).map((partition) => `${topic.name}-${partition.partitionId}`)),
      ];
      if (waiting.length > 0) throw new TransientError('TOPIC_LEADERS_PENDING', `no leader yet for ${waiting.join(', ')}`);
    },
    { retries: 20, minTimeout: 100, maxTimeout: 1_000 },
  );
}

interface CurrentConfig {
  readonly value: string;
  /** Set on the topic itself, as opposed to inherited from the broker or Kafka's defaults. */
  readonly topicOverride: boolean;
}

async function describeConfigs(admin: Admin, topics: readonly string[]): Promise<Map<string, Map<string, CurrentConfig>>> {
  const result = new Map<string, Map<string, CurrentConfig>>();
  if (topics.length === 0) return result;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  for (const resource of described.resources) {
    result.set(
      resource.resourceName,
      new Map(resource.configEntries.map((entry) => [entry.configName, { value: entry.configValue, topicOverride: entry.configSource === ConfigSource.TOPIC_CONFIG }])),
    );
  }
  return result;
}

/**
 * Makes the cluster match the declarations, idempotently: creates missing topics, raises
 * partition counts, updates configs. With `dryRun` it changes nothing and reports every
 * difference as drift (the check mode CI and operators use).
 */
export async function applyTopics(kafka: KafkaClient, specs: readonly TopicSpec[], options: { dryRun?: boolean } = {}): Promise<TopicReport> {
  // Declarations name topics logically; the client's namespace has its own set on the broker.
  const names = namesOf(kafka);
  const report = await applyPhysicalTopics(kafka, specs.map((spec) => ({ ...spec, name: names.topic(spec.name) })), options);
  const logical = (change: TopicChange): TopicChange => ({ ...change, topic: names.logicalTopic(change.topic) });
  return { changes: report.changes.map(logical), drift: report.drift.map(logical) };
}

async function applyPhysicalTopics(kafka: KafkaClient, specs: readonly TopicSpec[], options: { dryRun?: boolean }): Promise<TopicReport> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const existing = new Set(await admin.listTopics());
    const metadata = await fetchMetadata(admin, specs.filter((spec) => existing.has(spec.name)).map((spec) => spec.name));
    assertNoBrokerMissing(
      specs,
      brokers.map((broker) => broker.nodeId),
      metadata.topics.flatMap((topic) => topic.partitions.flatMap((partition) => partition.replicas)),
    );
    const changes: TopicChange[] = [];
    const fitted = specs.map((spec) => {
      const { spec: fit, note } = fitToCluster(spec, brokers.length);
      if (note) changes.push({ kind: 'adjusted', topic: spec.name, detail: note });
      return fit;
    });
    const missing = fitted.filter((spec) => !existing.has(spec.name));
    const present = fitted.filter((spec) => existing.has(spec.name));

    if (missing.length > 0 && !options.dryRun) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(admin, missing.map((spec) => spec.name));
    }
    for (const spec of missing) {
      changes.push({ kind: options.dryRun ? 'drift' : 'created', topic: spec.name, detail: options.dryRun ? 'missing' : `${spec.partitions} partitions, replication ${spec.replicationFactor}` });
    }

    const configs = await describeConfigs(admin, present.map((spec) => spec.name));
    for (const spec of present) {
      const topicMetadata = metadata.topics.find((topic) => topic.name === spec.name);
      const partitions = topicMetadata?.partitions.length ?? 0;
      const replication = topicMetadata?.partitions[0]?.replicas.length ?? 0;
      let changed = false;
      if (partitions < spec.partitions) {
        if (!options.dryRun) await admin.createPartitions({ topicPartitions: [{ topic: spec.name, count: spec.partitions }] });
        changes.push({ kind: options.dryRun ? 'drift' : 'partitions-increased', topic: spec.name, detail: `partitions ${partitions} -> ${spec.partitions}` });
        changed = true;
      } else if (partitions > spec.partitions) {
        changes.push({ kind: 'drift', topic: spec.name, detail: `has ${partitions} partitions, declared ${spec.partitions}; partitions cannot be removed` });
        changed = true;
      }
      if (replication !== spec.replicationFactor) {
        changes.push({ kind: 'drift', topic: spec.name, detail: `replication factor is ${replication}, declared ${spec.replicationFactor}; reassign partitions to change it` });
        changed = true;
      }
      const current = configs.get(spec.name) ?? new Map<string, CurrentConfig>();
      const differences = Object.entries(spec.config).filter(([name, value]) => current.get(name)?.value !== value);
      const undeclared = [...current].filter(([name, entry]) => entry.topicOverride && !(name in spec.config)).map(([name]) => name);
      if (differences.length > 0 || undeclared.length > 0) {
        const detail = [
          ...differences.map(([name, value]) => `${name}: ${current.get(name)?.value ?? '(unset)'} -> ${value}`),
          ...undeclared.map((name) => `${name}: ${current.get(name)?.value ?? ''} -> (default)`),
        ].join(', ');
        if (!options.dryRun) {
          // The legacy AlterConfigs call replaces all overrides, so undeclared ones return to defaults.
          await admin.alterConfigs({
            validateOnly: false,
            resources: [
              {
                type: ConfigResourceTypes.TOPIC,
                name: spec.name,
                configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
              },
            ],
          });
        }
        changes.push({ kind: options.dryRun ? 'drift' : 'config-updated', topic: spec.name, detail });
        changed = true;
      }
      if (!changed) changes.push({ kind: 'unchanged', topic: spec.name, detail: `${partitions} partitions, replication ${replication}` });
    }
    return { changes, drift: changes.filter((change) => change.kind === 'drift') };
  } finally {
    await admin.disconnect();
  }
}
