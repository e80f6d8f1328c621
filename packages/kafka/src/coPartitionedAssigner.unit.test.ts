import { describe, expect, it } from 'vitest';
import { assignCoPartitioned } from './coPartitionedAssigner.js';

// Kafka's default partitioner: a key's partition is murmur2(key) mod the partition count.
const partitionOf = (hash: number, count: number) => hash % count;

describe('co-partitioned assignment', () => {
  const topics = [
    ['agent.actions', [0, 1, 2, 3, 4, 5]],
    ['customer.requests', [0, 1, 2]],
    ['system.analytics', [0, 1, 2]],
  ] as const;

  it('gives one member every partition a key can land on, whatever the topic, when partition counts differ', () => {
    const assignment = assignCoPartitioned(['member-b', 'member-a'], topics, 2);
    const ownerOf = (topic: string, partition: number) => [...assignment].find(([, owned]) => owned[topic]?.includes(partition))?.[0];
    for (let hash = 0; hash < 1_000; hash += 1) {
      const owners = new Set(topics.map(([topic, ids]) => ownerOf(topic, partitionOf(hash, ids.length))));
      expect(owners.size, `key hash ${hash}`).toBe(1);
    }
    // Groups are partition mod gcd(6, 3) = 3: {0, 3} and {2, 5} to the first member, {1, 4} to the second.
    expect(assignment.get('member-a')).toEqual({ 'agent.actions': [0, 2, 3, 5], 'customer.requests': [0, 2], 'system.analytics': [0, 2] });
    expect(assignment.get('member-b')).toEqual({ 'agent.actions': [1, 4], 'customer.requests': [1], 'system.analytics': [1] });
  });

  it('assigns every partition exactly once', () => {
    const assignment = assignCoPartitioned(['x', 'y', 'z'], topics, 3);
    for (const [topic, ids] of topics) {
      const assigned = [...assignment.values()].flatMap((owned) => owned[topic] ?? []).sort((a, b) => a - b);
      expect(assigned).toEqual([...ids]);
    }
    expect([...assignment.values()].every((owned) => Object.keys(owned).length === 3)).toBe(true);
  });

  it('assigns nothing until the expected members joined, and lists every member', () => {
    const assignment = assignCoPartitioned(['only'], topics, 2);
    expect([...assignment]).toEqual([['only', {}]]);
  });
});
