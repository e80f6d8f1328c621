import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, TransientError } from '@supportstream/errors';
import { createEventFactory } from '@supportstream/events';
import { SAMPLE_DATA } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { deadLetterHeaders } from './deadLetter.js';
import { HEADER, headerValue, routeOf } from './headers.js';
import { toMessage } from './producer.js';
import { expandDeclarations, fitToCluster, loadTopicDeclarations } from './topics.js';

const topicsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../topics');

describe('topic declarations', () => {
  it('declare every topic of the design with its dead-letter topic', async () => {
    const specs = expandDeclarations(await loadTopicDeclarations(topicsDir));
    expect(specs.map((spec) => spec.name).sort()).toEqual(
      ['agent.actions', 'customer.requests', 'human.approvals', 'notifications.outbound', 'system.analytics'].flatMap((topic) => [topic, `${topic}.dlq`]).sort(),
    );
    const retention = Object.fromEntries(specs.map((spec) => [spec.name, Number(spec.config['retention.ms'])]));
    expect(retention['customer.requests']).toBe(-1);
    expect(retention['agent.actions']).toBe(-1);
    expect(retention['human.approvals']).toBe(-1);
    expect(retention['notifications.outbound']).toBe(7 * 86_400_000);
    expect(retention['system.analytics']).toBeGreaterThanOrEqual(86_400_000);
    expect(retention['customer.requests.dlq']).toBeGreaterThanOrEqual(30 * 86_400_000);
  });

  it('lowers replication and min.insync.replicas to what a small cluster can hold, and says so', () => {
    const spec = { name: 't', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': '2', 'retention.ms': '1' } };
    const { spec: fitted, note } = fitToCluster(spec, 1);
    expect(fitted).toEqual({ ...spec, replicationFactor: 1, config: { 'min.insync.replicas': '1', 'retention.ms': '1' } });
    expect(note).toMatch(/lowered to 1 \(cluster has 1 broker\)/);
    expect(fitToCluster(spec, 3)).toEqual({ spec });
  });
});

describe('messages and dead letters', () => {
  const factory = createEventFactory({ producer: 'unit', clock: () => new Date(1_700_000_000_000), ids: () => 'evt-1' });
  const event = factory.create(
    'StepMetrics',
    { runId: 'r', node: 'n', status: 'COMPLETED', attempt: 1, durationMs: 1, queueDelayMs: 0 },
    { conversationId: 'conv-9', requestId: 'req', tenantId: 'ten', correlationId: 'cor', causationId: 'cause-1' },
  );

  it('keys every event by conversation and carries its ids in headers', () => {
    const message = toMessage(event, Buffer.from([0]));
    expect(message.key).toBe('conv-9');
    expect(message.timestamp).toBe('1700000000000');
    expect(headerValue(message.headers, HEADER.eventType)).toBe('StepMetrics');
    expect(headerValue(message.headers, HEADER.eventId)).toBe('evt-1');
    expect(headerValue(message.headers, HEADER.causationId)).toBe('cause-1');
    expect(headerValue(message.headers, HEADER.correlationId)).toBe('cor');
    expect(headerValue(message.headers, HEADER.producer)).toBe('unit');
    expect(headerValue(message.headers, HEADER.nextNode)).toBeUndefined();
  });

  it('names the next node of a step in a header, so services route before decoding', () => {
    const step = factory.create(
      'AgentStepCompleted',
      { ...SAMPLE_DATA.AgentStepCompleted, next: 'research' },
      { conversationId: 'conv-9', requestId: 'req', tenantId: 'ten', correlationId: 'cor', causationId: null },
    );
    const message = toMessage(step, Buffer.from([0]));
    expect(routeOf('agent.actions', { key: Buffer.from(message.key), headers: message.headers })).toEqual({
      topic: 'agent.actions',
      eventType: 'AgentStepCompleted',
      nextNode: 'research',
      producer: 'unit',
      followUpQueued: undefined,
      key: 'conv-9',
    });
    // The last step of a run says so ('' = nobody is next), so no service has to decode it.
    const last = factory.create('AgentStepCompleted', { ...SAMPLE_DATA.AgentStepCompleted, next: null }, { conversationId: 'c', requestId: 'r', tenantId: 't', correlationId: 'c', causationId: null });
    expect(headerValue(toMessage(last, Buffer.from([0])).headers, HEADER.nextNode)).toBe('');
  });

  it('adds the routing headers a publisher gives for an event, without changing the event', () => {
    const completed = factory.create('RunCompleted', SAMPLE_DATA.RunCompleted, { conversationId: 'c', requestId: 'r', tenantId: 't', correlationId: 'c', causationId: null });
    const message = toMessage(completed, Buffer.from([0]), { [HEADER.followUpQueued]: 'false' });
    expect(routeOf('agent.actions', { key: Buffer.from(message.key), headers: message.headers }).followUpQueued).toBe('false');
    expect(headerValue(message.headers, HEADER.eventId)).toBe(completed.metadata.eventId);
  });

  it('keeps the original headers and adds where the message came from and why it failed', () => {
    const headers = deadLetterHeaders({
      topic: 'agent.actions',
      partition: 2,
      group: 'solution',
      attempts: 3,
      failedAt: new Date('2026-01-01T00:00:00Z'),
      error: new InvalidInputError('INVALID_EVENT', 'x'.repeat(10_000)),
      message: { key: null, value: null, offset: '41', timestamp: '5', headers: { [HEADER.eventId]: 'e' } },
    });
    expect(headers).toMatchObject({
      [HEADER.eventId]: 'e',
      [HEADER.dlqTopic]: 'agent.actions',
      [HEADER.dlqPartition]: '2',
      [HEADER.dlqOffset]: '41',
      [HEADER.dlqGroup]: 'solution',
      [HEADER.dlqErrorCode]: 'INVALID_EVENT',
      [HEADER.dlqAttempts]: '3',
      [HEADER.dlqFailedAt]: '2026-01-01T00:00:00.000Z',
    });
    expect(String(headers[HEADER.dlqErrorMessage]).length).toBe(4_000);
  });

  it('classifies only declared-transient errors as retriable', async () => {
    const { isRetriable } = await import('@supportstream/errors');
    expect(isRetriable(new TransientError('DB_DOWN', 'x'))).toBe(true);
    expect(isRetriable(new InvalidInputError('BAD', 'x'))).toBe(false);
    expect(isRetriable(new TypeError('bug'))).toBe(false);
  });
});
