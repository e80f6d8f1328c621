// lib/kafkaStatus.js (what `stack.sh status` shows of a cluster) against the running stack: one
// broker by default, three in cluster mode. It speaks Kafka's protocol itself, so these tests
// check its answers against what the broker says through kafkajs.
import { applyTopics, createKafka } from '@supportstream/kafka';
import { deleteTopics, freePort, stackConfig, testKafka, testLogger, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterFacts, clusterFactsText } from './test/stackScripts.js';

const brokers = stackConfig().KAFKA_BROKERS;
const kafka = testKafka('kafka-status-int');
const created: string[] = [];

afterAll(async () => {
  await deleteTopics(kafka, created);
});

describe('the cluster facts of stack.sh status', () => {
  it('lists the brokers and the quorum as the cluster reports them', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster().finally(() => admin.disconnect());
    const facts = await clusterFacts(brokers);
    expect(facts.clusterId).toBe(cluster.clusterId);
    expect(facts.brokers.map((broker) => broker.id)).toEqual(cluster.brokers.map((broker) => broker.nodeId).sort((a, b) => a - b));
    expect(facts.brokers.map((broker) => broker.address).sort()).toEqual(cluster.brokers.map((broker) => `${broker.host}:${broker.port}`).sort());
    if ('error' in facts.quorum) throw new Error(`no quorum answer: ${facts.quorum.error}`);
    // Every node is a controller too (combined mode), so the voters are the brokers.
    expect(facts.quorum.voters).toEqual(facts.brokers.map((broker) => broker.id));
    expect(facts.quorum.voters).toContain(facts.quorum.leader);
    expect(facts.quorum.epoch).toBeGreaterThan(0);
    expect(facts.missingBrokers).toEqual([]);
    expect(facts.offline).toEqual([]);
  });

  it("counts a new topic's partitions, leaders and replication like the broker's metadata", async () => {
    const topic = uniqueName('status');
    created.push(topic);
    // applyTopics, not the test helper createTopics: kafkajs' waitForLeaders fails on a cluster
    // whose other brokers have not seen the new topic yet (topics.ts says why).
    await applyTopics(createKafka({ brokers, clientId: 'kafka-status-int', logger: testLogger() }), [{ name: topic, partitions: 3, replicationFactor: 1, config: {} }]);
    // On a cluster, a broker other than the one that confirmed the leaders may not know the
    // topic for a moment (UNKNOWN_TOPIC_OR_PARTITION): ask until both views have it.
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await waitFor(() => admin.fetchTopicMetadata({ topics: [topic] }), { description: `metadata of ${topic}` }).finally(() => admin.disconnect());
    const facts = await waitFor(async () => {
      const answer = await clusterFacts(brokers);
      return answer.replication[topic] !== undefined && answer;
    }, { description: `${topic} in the status facts` });
    expect(facts.replication[topic]).toEqual({ replicas: 1, minInsyncReplicas: expect.any(Number) as number });
    expect(facts.underReplicated.filter((name) => name.startsWith(`${topic}-`))).toEqual([]);
    expect(Object.values(facts.leaders).reduce((sum, count) => sum + count, 0) + facts.offline.length).toBe(facts.partitions);
    for (const partition of metadata.topics[0]?.partitions ?? []) expect(facts.leaders[String(partition.leader)]).toBeGreaterThan(0);
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
  });

  it('prints key/value lines for stack.sh, and exits 2 when no broker answers', async () => {
    const text = await clusterFactsText(brokers);
    expect(text.code).toBe(0);
    const keys = text.stdout.trim().split('\n').map((line) => line.split(' ')[0]);
    expect(keys).toEqual(expect.arrayContaining(['brokers', 'quorum_leader', 'voters', 'partitions', 'leads', 'under_replicated', 'offline', 'under_min_isr']));
    expect(text.stdout).toMatch(/^offline 0$/m);

    const closed = await clusterFactsText([`127.0.0.1:${await freePort()}`]);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/no broker answered .*ECONNREFUSED/);
  });
});
