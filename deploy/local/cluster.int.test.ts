// Cluster mode of the local stack (STACK_BROKERS=3): topics at their declared replication, events
// through the platform's codec, and, with STACK_CHAOS=1, one broker SIGKILLed and restarted while
// an acks=all producer keeps writing. Skipped on a single broker. The chaos part kills a broker of
// whatever cluster KAFKA_BROKERS names, so it runs only when asked: deploy/local/cluster-check.sh
// does, on a cluster of its own.
import { resolve } from 'node:path';
import { createEventCodec, type SupportEvent } from '@supportstream/events';
import { applyTopics, createEventProducer, createKafka, expandDeclarations, loadTopicDeclarations, type EventProducer, type TopicDeclaration } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { deleteTopics, readTopic, sampleEvent, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { clusterFacts, REPO_ROOT, stackSh, type ClusterFacts } from './test/stackScripts.js';

const config = stackConfig();
const kafka = testKafka('cluster-int');
const logger = testLogger();

async function liveBrokers(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect();
  }
}

const brokers = await liveBrokers();
const chaos = process.env['STACK_CHAOS'] === '1';

/** The topic's partitions as the cluster's metadata has them (asked again while a broker does not know the topic yet). */
async function partitionsOf(topic: string): Promise<{ partition: number; leader: number; isr: number[]; replicas: number[] }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await waitFor(() => admin.fetchTopicMetadata({ topics: [topic] }), { timeoutMs: 30_000, intervalMs: 200, description: `metadata of ${topic}` });
    return (metadata.topics[0]?.partitions ?? [])
      .map(({ partitionId, leader, isr, replicas }) => ({ partition: partitionId, leader, isr, replicas }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

if (brokers < 3) {
  describe('cluster mode of the local stack', () => {
    it.skip(`skipped: the stack runs ${brokers} broker(s); cluster mode is STACK_BROKERS=3 (deploy/local/README.md, or deploy/local/cluster-check.sh)`, () => undefined);
  });
}

describe.runIf(brokers >= 3)('cluster mode of the local stack (3 brokers)', () => {
  const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
  const platformKafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'cluster-int', logger });
  const topic = uniqueName('cluster');
  const declaration: TopicDeclaration = {
    name: topic,
    partitions: 3,
    replicationFactor: 3,
    config: { 'cleanup.policy': 'delete', 'retention.ms': '3600000', 'min.insync.replicas': '2' },
  };
  let producer: EventProducer;

  beforeAll(async () => {
    producer = createEventProducer({ kafka: platformKafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: () => topic });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await deleteTopics(kafka, [topic]);
  });

  it('topics apply keeps every declared topic at replication 3 and min.insync.replicas 2', async () => {
    const specs = expandDeclarations(await loadTopicDeclarations(resolve(REPO_ROOT, 'topics')));
    const report = await applyTopics(platformKafka, specs);
    expect(report.changes.filter((change) => change.kind === 'adjusted')).toEqual([]);
    expect(report.drift).toEqual([]);
    const facts = await clusterFacts(config.KAFKA_BROKERS);
    for (const spec of specs) expect({ topic: spec.name, ...facts.replication[spec.name] }).toEqual({ topic: spec.name, replicas: 3, minInsyncReplicas: 2 });
    // The registry's own topics (Apicurio creates them with min(3, brokers) replicas).
    expect(facts.replication['_registry-journal']?.replicas).toBe(3);
  });

  it("writes and reads events through the platform's codec on a topic with three replicas", async () => {
    await applyTopics(platformKafka, [{ ...declaration }]);
    const partitions = await partitionsOf(topic);
    expect(partitions).toHaveLength(3);
    for (const partition of partitions) expect(partition.replicas.sort()).toEqual([1, 2, 3]);
    const event = sampleEvent('RequestReceived');
    await producer.publish([event]);
    const [record] = await readTopic(kafka, topic, 1);
    expect((await codec.decode(record?.value ?? null)).event).toEqual(event);
    // A consumer group was used: the offsets topic is replicated like the others.
    expect((await clusterFacts(config.KAFKA_BROKERS)).replication['__consumer_offsets']).toEqual({ replicas: 3, minInsyncReplicas: 2 });
  });

  it.runIf(chaos)(
    'survives a SIGKILLed broker: a new leader, under-replicated partitions, acks=all writes still accepted, ISR back to 3 after the restart',
    async () => {
      const before = await partitionsOf(topic);
      const victim = before[0]?.leader;
      if (victim === undefined) throw new Error(`no leader for ${topic}-0`);
      const killed = await stackSh('broker', 'kill', String(victim));
      onTestFinished(async () => {
        // Whatever failed below, the cluster gets its broker back (a no-op once restarted).
        await stackSh('broker', 'start', String(victim));
      });
      expect(killed.code, killed.output).toBe(0);
      expect(killed.output).toMatch(new RegExp(`kafka-${victim}: killed \\(SIGKILL`));

      // The controllers fence the broker (broker.session.timeout.ms) and elect new leaders. Each
      // broker applies that from the metadata log on its own, so both views are awaited: the
      // status script's and kafkajs' (which may ask another broker).
      let facts: ClusterFacts | undefined;
      let during: Awaited<ReturnType<typeof partitionsOf>> = [];
      await waitFor(
        async () => {
          facts = await clusterFacts(config.KAFKA_BROKERS);
          during = await partitionsOf(topic);
          return (
            !facts.brokers.some((broker) => broker.id === victim) &&
            facts.underReplicated.includes(`${topic}-0`) &&
            !facts.offline.some((name) => name.startsWith(`${topic}-`)) &&
            during[0]?.leader !== victim &&
            during.every((partition) => !partition.isr.includes(victim))
          );
        },
        { timeoutMs: 60_000, intervalMs: 500, description: () => `broker ${victim} fenced and ${topic}-0 led elsewhere (last: ${JSON.stringify({ facts, during })})` },
      );
      expect(during[0]?.leader).not.toBe(victim);
      expect(during[0]?.isr).toHaveLength(2);
      expect(facts?.underMinIsr.filter((name) => name.startsWith(`${topic}-`))).toEqual([]);
      const status = await stackSh('status', 'kafka');
      expect(status.code, status.output).toBe(1);
      expect(status.output).toMatch(new RegExp(`^kafka-${victim} +down .*broker start ${victim}`, 'm'));
      expect(status.output).toMatch(/cluster of 3: 2\/3 brokers up, quorum leader kafka-\d/);
      expect(status.output).toMatch(/, 0 offline, [1-9]\d* under-replicated, 0 under min\.insync\.replicas/);
      expect(status.output).toMatch(/^ +under-replicated \(ISR < replicas\): \S+-\d+ /m);

      // topics apply does not fit the declarations to the two live brokers while one is down.
      const specs = expandDeclarations(await loadTopicDeclarations(resolve(REPO_ROOT, 'topics')));
      await expect(applyTopics(platformKafka, specs)).rejects.toThrow(
        new RegExp(`lists 2 live broker\\(s\\) .*replicas on broker\\(s\\) ${victim}, which is down or fenced.*start broker\\(s\\) ${victim} and run again`),
      );

      // acks=all with min.insync.replicas 2: two in-sync replicas are enough.
      const during1: SupportEvent = sampleEvent('RequestReceived');
      const during2: SupportEvent = sampleEvent('RequestReceived');
      // One record per partition written to (the two keys may share one).
      const published = await producer.publish([during1, during2]);
      expect(published.length).toBeGreaterThan(0);
      expect(published.every((record) => record.topic === topic && record.baseOffset !== undefined)).toBe(true);
      const records = await readTopic(kafka, topic, 3, 60_000);
      const decoded = await Promise.all(records.map(async (record) => (await codec.decode(record.value)).event.metadata.eventId));
      expect(decoded).toEqual(expect.arrayContaining([during1.metadata.eventId, during2.metadata.eventId]));

      const started = await stackSh('broker', 'start', String(victim));
      expect(started.code, started.output).toBe(0);
      await waitFor(
        async () => {
          facts = await clusterFacts(config.KAFKA_BROKERS);
          return facts.brokers.length === 3 && facts.underReplicated.length === 0;
        },
        { timeoutMs: 90_000, intervalMs: 500, description: () => `every partition back in sync (last: ${JSON.stringify(facts?.underReplicated)})` },
      );
      for (const partition of await partitionsOf(topic)) expect(partition.isr.sort()).toEqual([1, 2, 3]);
      const healthy = await stackSh('status', 'kafka');
      expect(healthy.code, healthy.output).toBe(0);
      expect(healthy.output).toMatch(/cluster of 3: 3\/3 brokers up, .*0 offline, 0 under-replicated, 0 under min.insync.replicas/);
    },
    240_000,
  );
});
