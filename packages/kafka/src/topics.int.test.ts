import { deleteTopics, testKafka, uniqueName } from '@supportstream/testing';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { applyTopics, expandDeclarations, type TopicDeclaration } from './topics.js';

const { ConfigResourceTypes } = kafkajs;
const kafka = testKafka('topics-int');
const created: string[] = [];

function declaration(name: string, overrides: Partial<TopicDeclaration> = {}): TopicDeclaration {
  return {
    name,
    partitions: 2,
    replicationFactor: 3,
    config: { 'cleanup.policy': 'delete', 'retention.ms': '86400000', 'min.insync.replicas': '2' },
    deadLetter: { partitions: 1, config: { 'retention.ms': '604800000' } },
    ...overrides,
  };
}

async function topicConfig(name: string, key: string): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: [key] }] });
    return described.resources[0]?.configEntries.find((entry) => entry.configName === key)?.configValue;
  } finally {
    await admin.disconnect();
  }
}

afterAll(async () => {
  await deleteTopics(kafka, created);
});

describe('applying topic declarations to the real broker', () => {
  it('creates the topic and its DLQ once, then reports them unchanged', async () => {
    const name = uniqueName('decl');
    created.push(name);
    const specs = expandDeclarations([declaration(name)]);
    const first = await applyTopics(kafka, specs);
    expect(first.changes.filter((change) => change.kind === 'created').map((change) => change.topic)).toEqual([name, `${name}.dlq`]);
    expect(first.changes.filter((change) => change.kind === 'adjusted')).toHaveLength(2);
    expect(await topicConfig(name, 'retention.ms')).toBe('86400000');
    expect(await topicConfig(name, 'min.insync.replicas')).toBe('1');

    const second = await applyTopics(kafka, specs);
    expect(second.changes.filter((change) => change.kind !== 'adjusted').map((change) => change.kind)).toEqual(['unchanged', 'unchanged']);
    expect(second.drift).toEqual([]);
  });

  it('reports drift in check mode without changing anything, and apply repairs it', async () => {
    const name = uniqueName('decl');
    created.push(name);
    await applyTopics(kafka, expandDeclarations([declaration(name)]));
    const changed = expandDeclarations([declaration(name, { partitions: 4, config: { 'cleanup.policy': 'delete', 'retention.ms': '3600000', 'min.insync.replicas': '2' } })]);

    const check = await applyTopics(kafka, changed, { dryRun: true });
    expect(check.drift.map((change) => change.detail)).toEqual(['partitions 2 -> 4', 'retention.ms: 86400000 -> 3600000']);
    expect(await topicConfig(name, 'retention.ms')).toBe('86400000');

    const applied = await applyTopics(kafka, changed);
    expect(applied.changes.map((change) => change.kind)).toEqual(expect.arrayContaining(['partitions-increased', 'config-updated']));
    expect(await topicConfig(name, 'retention.ms')).toBe('3600000');
    expect((await applyTopics(kafka, changed, { dryRun: true })).drift).toEqual([]);
  });

  it('reports an override set by hand that the declaration does not have, and apply removes it', async () => {
    const name = uniqueName('decl');
    created.push(name);
    const specs = expandDeclarations([declaration(name)]);
    await applyTopics(kafka, specs);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: [{ name: 'cleanup.policy', value: 'delete' }, { name: 'retention.ms', value: '86400000' }, { name: 'min.insync.replicas', value: '1' }, { name: 'segment.ms', value: '3600000' }] }],
      });
    } finally {
      await admin.disconnect();
    }
    expect((await applyTopics(kafka, specs, { dryRun: true })).drift.map((change) => change.detail)).toEqual(['segment.ms: 3600000 -> (default)']);
    await applyTopics(kafka, specs);
    expect(await topicConfig(name, 'segment.ms')).toBe('604800000');
  });

  it('cannot remove partitions and says so', async () => {
    const name = uniqueName('decl');
    created.push(name);
    await applyTopics(kafka, expandDeclarations([declaration(name, { partitions: 3 })]));
    const report = await applyTopics(kafka, expandDeclarations([declaration(name, { partitions: 1 })]));
    expect(report.drift.map((change) => change.detail)).toEqual(['has 3 partitions, declared 1; partitions cannot be removed']);
  });
});
