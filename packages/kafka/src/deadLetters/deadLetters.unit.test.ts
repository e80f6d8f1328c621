import { createEventFactory, type DecodedEvent } from '@supportstream/events';
import { sampleContext, sampleEvent } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { replayLedgerContract } from '../../test/replayLedgerContract.js';
import { deadLetterHeaders } from '../deadLetter.js';
import { HEADER } from '../headers.js';
import type { RawReadRecord } from '../readToEnd.js';
import { originalTopicOf, positionProblem, replayHeaders, replayIdOf, replayRefusal, toDeadLetterRecord } from './deadLetterRecord.js';
import { deadLetterReplayedEvent, OPERATOR_TENANT } from './replayEvent.js';
import { inMemoryReplayLedger } from './replayLedger.js';

replayLedgerContract({ name: 'in memory', create: () => Promise.resolve(inMemoryReplayLedger()) });

const context = sampleContext({ tenantId: 'tenant-a', conversationId: 'conv-1' });
const event = sampleEvent('RequestReceived', context);
const failedAt = new Date('2026-03-01T09:00:00.000Z');

/** A DLQ record as the consumer runtime writes it (deadLetterHeaders over the original headers). */
function dlqRecord(overrides: Partial<RawReadRecord> = {}, originalTopic = 'customer.requests'): RawReadRecord {
  const headers = deadLetterHeaders({
    topic: originalTopic,
    partition: 2,
    message: { key: Buffer.from('conv-1'), value: Buffer.from('bytes'), offset: '41', timestamp: '1767261600000', headers: { [HEADER.eventType]: 'RequestReceived', [HEADER.eventId]: event.metadata.eventId, [HEADER.tenantId]: 'tenant-forged' } },
    group: 'triage',
    error: new Error('handler exploded'),
    attempts: 3,
    failedAt,
  });
  return { topic: 'customer.requests.dlq', partition: 0, offset: '5', timestamp: '1772355600000', key: Buffer.from('conv-1'), value: Buffer.from('bytes'), headers, ...overrides };
}

const decodedOf = (value = event): DecodedEvent => ({ event: value, schemaId: 1, writerSchema: 'io.supportstream.events.RequestReceived' });

describe('a dead-letter record (given its DLQ headers, when read)', () => {
  it('says why, where from, which group and whose, with the tenant of the decoded value', () => {
    const record = toDeadLetterRecord(dlqRecord(), decodedOf());
    expect(record).toMatchObject({
      position: { topic: 'customer.requests.dlq', partition: 0, offset: '5' },
      originalTopic: 'customer.requests',
      originalPartition: 2,
      originalOffset: '41',
      consumerGroup: 'triage',
      errorCode: 'UNEXPECTED',
      errorMessage: 'handler exploded',
      attempts: 3,
      failedAt: failedAt.toISOString(),
      key: 'conv-1',
      eventType: 'RequestReceived',
      eventId: event.metadata.eventId,
      tenantId: 'tenant-a',
      decodable: true,
    });
  });

  it('names no tenant when the bytes do not decode, whatever a header claims', () => {
    const record = toDeadLetterRecord(dlqRecord(), undefined);
    expect(record.tenantId).toBeNull();
    expect(record.decodable).toBe(false);
    expect(record.eventType).toBe('RequestReceived');
  });

  it('falls back to the broker timestamp and nulls for missing headers', () => {
    const record = toDeadLetterRecord(dlqRecord({ headers: {} }), undefined);
    expect(record).toMatchObject({ originalTopic: 'customer.requests', originalPartition: null, originalOffset: null, consumerGroup: null, errorCode: null, attempts: null, failedAt: new Date(1772355600000).toISOString() });
    expect(replayRefusal(record)).toBeUndefined();
  });

  it('refuses to replay where a header points to another topic than the DLQ it sits on', () => {
    const record = toDeadLetterRecord(dlqRecord({}, 'human.approvals'), undefined);
    expect(replayRefusal(record)).toMatch(/came from human.approvals/);
    expect(replayRefusal(toDeadLetterRecord(dlqRecord({ topic: 'customer.requests' }), undefined))).toMatch(/not a dead-letter topic/);
  });

  it('replays the original headers without the dead-letter ones, marked with the replay id', () => {
    const headers = replayHeaders({ ...dlqRecord().headers, [HEADER.dlqReplayId]: 'older' }, 'replay-1');
    expect(headers).toEqual({ [HEADER.eventType]: 'RequestReceived', [HEADER.eventId]: event.metadata.eventId, [HEADER.tenantId]: 'tenant-forged', [HEADER.dlqReplayId]: 'replay-1' });
  });

  it('derives the original topic, the replay id and validates positions', () => {
    expect(originalTopicOf('agent.actions.dlq')).toBe('agent.actions');
    expect(originalTopicOf('agent.actions')).toBeUndefined();
    expect(originalTopicOf('.dlq')).toBeUndefined();
    const position = { topic: 'agent.actions.dlq', partition: 0, offset: '3' };
    expect(replayIdOf(position)).toBe(replayIdOf({ ...position }));
    expect(replayIdOf(position)).not.toBe(replayIdOf({ ...position, offset: '4' }));
    expect(positionProblem(position)).toBeUndefined();
    expect(positionProblem({ ...position, partition: -1 })).toMatch(/partition/);
    expect(positionProblem({ ...position, offset: '1e3' })).toMatch(/offset/);
    expect(positionProblem({ ...position, offset: '99999999999999999999' })).toMatch(/offset/);
  });
});

describe('the DeadLetterReplayed event', () => {
  const factory = createEventFactory({ producer: 'tests' });
  const facts = { replayId: 'replay-1', replayedBy: 'ops@example.test', replayedAt: new Date('2026-03-01T10:00:00.000Z'), replayedToPartition: 1, replayedToOffset: '77' };

  it('continues the conversation of a record that decodes, caused by the replayed event', () => {
    const replayed = deadLetterReplayedEvent(factory, toDeadLetterRecord(dlqRecord(), decodedOf()), facts);
    expect(replayed.metadata).toMatchObject({ conversationId: 'conv-1', tenantId: 'tenant-a', requestId: context.requestId, correlationId: context.correlationId, causationId: event.metadata.eventId, customerId: null });
    expect(replayed.data).toMatchObject({ dlqTopic: 'customer.requests.dlq', dlqPartition: 0, dlqOffset: 5, originalTopic: 'customer.requests', originalPartition: 2, originalOffset: 41, consumerGroup: 'triage', reason: 'handler exploded', replayedToOffset: 77 });
    // Deterministic: a retried replay re-emits the same event id.
    expect(deadLetterReplayedEvent(factory, toDeadLetterRecord(dlqRecord(), decodedOf()), facts).metadata.eventId).toBe(replayed.metadata.eventId);
  });

  it("belongs to the operators when the record does not decode: a conversation derived from the position, tenant '_operator'", () => {
    const replayed = deadLetterReplayedEvent(factory, toDeadLetterRecord(dlqRecord(), undefined), facts);
    expect(replayed.metadata).toMatchObject({ conversationId: 'dlq-replay-1', tenantId: OPERATOR_TENANT, requestId: 'replay-1', causationId: null });
  });
});
