import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '@supportstream/errors';
import kafkajs, { type Admin } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './client.js';
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
 * factor and min.insync.replicas are lowered to what the cluster can satisfy, and said so.
 */
export function fitToCluster(spec: TopicSpec, brokers: number): { spec: TopicSpec; note?: string } {
  if (spec.replicationFactor <= brokers) return { spec };
  const replicationFactor = brokers;
  const config = { ...spec.config };
  const minIsr = config['min.insync.replicas'];
  if (minIsr !== undefined && Number(minIsr) > replicationFactor) config['min.insync.replicas'] = String(replicationFactor);
  return {
    spec: { ...spec, replicationFactor, config },
    note: `replication factor ${spec.replicationFactor} lowered to ${replicationFactor} (cluster has ${brokers} broker${brokers === 1 ? '' : 's'})`,
  };
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
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const existing = new Set(await admin.listTopics());
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
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    for (const spec of missing) {
      changes.push({ kind: options.dryRun ? 'drift' : 'created', topic: spec.name, detail: options.dryRun ? 'missing' : `${spec.partitions} partitions, replication ${spec.replicationFactor}` });
    }

    const metadata = present.length > 0 ? await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) }) : { topics: [] };
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
