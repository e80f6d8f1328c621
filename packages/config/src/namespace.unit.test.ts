import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from './index.js';
import {
  collectionName,
  databaseName,
  databaseUrl,
  groupName,
  InvalidNamespaceError,
  logicalGroupName,
  logicalTopicName,
  normalizeNamespace,
  redisPrefix,
  topicName,
} from './namespace.js';

describe('namespaces', () => {
  it('keeps every name of today without a namespace', () => {
    for (const none of [undefined, normalizeNamespace(''), normalizeNamespace('  ')]) {
      expect(topicName(none, 'customer.requests')).toBe('customer.requests');
      expect(topicName(none, 'customer.requests.dlq')).toBe('customer.requests.dlq');
      expect(logicalTopicName(none, 'agent.actions')).toBe('agent.actions');
      expect(groupName(none, 'supportstream-triage')).toBe('supportstream-triage');
      expect(logicalGroupName(none, 'supportstream-triage')).toBe('supportstream-triage');
      expect(redisPrefix(none)).toBe('');
      expect(databaseName(none, 'supportstream')).toBe('supportstream');
      expect(databaseUrl(none, 'postgres://u:p@127.0.0.1:5432/supportstream?sslmode=disable')).toBe('postgres://u:p@127.0.0.1:5432/supportstream?sslmode=disable');
      expect(collectionName(none, 'knowledge')).toBe('knowledge');
    }
  });

  it('derives every name from a namespace', () => {
    expect(topicName('staging', 'customer.requests')).toBe('staging.customer.requests');
    // The DLQ of a physical topic is the physical name of the logical DLQ.
    expect(`${topicName('staging', 'agent.actions')}.dlq`).toBe(topicName('staging', 'agent.actions.dlq'));
    expect(groupName('staging', 'supportstream-projections')).toBe('staging.supportstream-projections');
    expect(redisPrefix('staging')).toBe('staging:');
    expect(databaseName('test-1a', 'supportstream')).toBe('supportstream_test_1a');
    expect(databaseUrl('test-1a', 'postgres://u:p%40x@db:5432/supportstream?sslmode=disable')).toBe('postgres://u:p%40x@db:5432/supportstream_test_1a?sslmode=disable');
    expect(collectionName('staging', 'knowledge')).toBe('staging_knowledge');
  });

  it('maps physical names back only inside their namespace', () => {
    expect(logicalTopicName('b', 'b.customer.requests')).toBe('customer.requests');
    expect(logicalTopicName('b', 'customer.requests')).toBeUndefined();
    expect(logicalTopicName('b', 'bb.customer.requests')).toBeUndefined();
    expect(logicalGroupName('b', 'b.supportstream-triage')).toBe('supportstream-triage');
    expect(logicalGroupName('b', 'supportstream-triage')).toBeUndefined();
  });

  it('refuses a namespace that would not make valid names', () => {
    for (const bad of ['Staging', '1abc', 'a.b', 'a_b', 'a:b', `a${'x'.repeat(31)}`]) {
      expect(() => normalizeNamespace(bad)).toThrow(InvalidNamespaceError);
    }
    expect(normalizeNamespace('a-1')).toBe('a-1');
  });

  it('is a platform setting: unset and empty mean none, a bad value fails naming the variable', () => {
    expect(loadPlatformConfig({}).SUPPORTSTREAM_NAMESPACE).toBeUndefined();
    expect(loadPlatformConfig({ SUPPORTSTREAM_NAMESPACE: '' }).SUPPORTSTREAM_NAMESPACE).toBeUndefined();
    expect(loadPlatformConfig({ SUPPORTSTREAM_NAMESPACE: 'staging' }).SUPPORTSTREAM_NAMESPACE).toBe('staging');
    expect(() => loadPlatformConfig({ SUPPORTSTREAM_NAMESPACE: 'Prod.1' })).toThrow(/SUPPORTSTREAM_NAMESPACE="Prod.1": must be empty or match/);
  });
});

describe('the namespace database', () => {
  it('is what DATABASE_URL names once parsed, on the same server; unset keeps the URL as given', () => {
    const url = 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream';
    expect(loadPlatformConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(loadPlatformConfig({ DATABASE_URL: url, SUPPORTSTREAM_NAMESPACE: '' }).DATABASE_URL).toBe(url);
    expect(loadPlatformConfig({ DATABASE_URL: url, SUPPORTSTREAM_NAMESPACE: 'test-b' }).DATABASE_URL).toBe('postgres://supportstream:supportstream@127.0.0.1:5432/supportstream_test_b');
    // The default URL too.
    expect(loadPlatformConfig({ SUPPORTSTREAM_NAMESPACE: 'b' }).DATABASE_URL).toBe('postgres://supportstream:supportstream@127.0.0.1:5432/supportstream_b');
  });
});
