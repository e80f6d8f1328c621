import { TransientError } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import { assertNoBrokerMissing, fitToCluster, type TopicSpec } from './topics.js';

const declared: TopicSpec = { name: 'customer.requests', partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': '2', 'retention.ms': '-1' } };

describe('fitting declared replication to the cluster', () => {
  it('keeps replication 3 and min.insync.replicas 2 on a cluster of three', () => {
    expect(fitToCluster(declared, 3)).toEqual({ spec: declared });
  });

  it('lowers both on a single broker and says which', () => {
    const { spec, note } = fitToCluster(declared, 1);
    expect(spec.replicationFactor).toBe(1);
    expect(spec.config).toEqual({ 'min.insync.replicas': '1', 'retention.ms': '-1' });
    expect(note).toBe('replication factor 3 lowered to 1 (cluster has 1 broker), min.insync.replicas 2 to 1');
  });

  it('leaves a min.insync.replicas that two brokers can hold', () => {
    const { spec, note } = fitToCluster(declared, 2);
    expect(spec.replicationFactor).toBe(2);
    expect(spec.config['min.insync.replicas']).toBe('2');
    expect(note).toBe('replication factor 3 lowered to 2 (cluster has 2 brokers)');
  });
});

describe('a broker that is down while topics are applied', () => {
  it('refuses to lower replication when existing replicas sit on a broker the cluster does not list', () => {
    const attempt = () => assertNoBrokerMissing([declared], [1, 2], [1, 2, 3, 2, 3, 1]);
    expect(attempt).toThrow(TransientError);
    expect(attempt).toThrow(/lists 2 live broker\(s\) \(1, 2\), but existing topics also have replicas on broker\(s\) 3, which is down.*start broker\(s\) 3/);
  });

  it('lets a genuinely small cluster through (no replica outside the live brokers)', () => {
    expect(() => assertNoBrokerMissing([declared], [1], [1, 1])).not.toThrow();
    expect(() => assertNoBrokerMissing([declared], [1, 2, 3], [])).not.toThrow();
  });

  it('does not mind a missing broker when nothing needs lowering', () => {
    expect(() => assertNoBrokerMissing([declared], [1, 2, 3], [1, 2, 3, 4])).not.toThrow();
  });
});
