import { describe, expect, it } from 'vitest';
import { createEventCodec, EventDecodeError, EventEncodeError } from './codec.js';
import { causedBy, createEventFactory } from './envelope.js';
import { deterministicEventId, stableId } from './ids.js';

// The registry URL points nowhere: each case must fail before the codec needs the registry.
const codec = createEventCodec({ registryUrl: 'http://127.0.0.1:9' });
const factory = createEventFactory({ producer: 'unit', clock: () => new Date('2026-01-01T00:00:00Z'), ids: () => 'id-1' });
const context = { conversationId: 'c', requestId: 'r', tenantId: 't', correlationId: 'k', causationId: null };

describe('event codec without a registry', () => {
  it.each([
    ['null value', null, /empty/],
    ['too short', Buffer.from([0, 0, 0]), /shorter than the wire-format header/],
    ['wrong magic byte', Buffer.from('{"json":"not avro"}'), /magic byte \(found 0x7b\)/],
  ])('refuses %s as UNDECODABLE', async (_name, bytes, message) => {
    const error = await codec.decode(bytes).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventDecodeError);
    expect(error).toMatchObject({ code: 'UNDECODABLE', retriable: false });
    expect((error as Error).message).toMatch(message);
  });

  it('refuses to encode an event whose envelope is incomplete', async () => {
    const event = factory.create('StepMetrics', { runId: 'r', node: 'n', status: 'COMPLETED', attempt: 1, durationMs: 1, queueDelayMs: 0 }, { ...context, tenantId: ' ' });
    await expect(codec.encode(event)).rejects.toThrow(/metadata.tenantId must be a non-empty string/);
  });

  it('names the bad field when the data does not fit the schema', async () => {
    const event = factory.create('StepMetrics', { runId: 'r', node: 'n', status: 'NOPE' as 'COMPLETED', attempt: 1.5, durationMs: 1, queueDelayMs: 0 }, context);
    const error = await codec.encode(event).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventEncodeError);
    expect((error as Error).message).toContain('data.status');
    expect((error as Error).message).toContain('data.attempt');
  });
});

describe('event codec while the registry is unreachable', () => {
  it('reports the outage as a retriable REGISTRY_UNAVAILABLE, not as a bad request', async () => {
    // Nothing listens on port 9: the registry client answers with its status-400 "connect ECONNREFUSED".
    const event = factory.create('StepMetrics', { runId: 'r', node: 'n', status: 'COMPLETED', attempt: 1, durationMs: 1, queueDelayMs: 0 }, context);
    const error = await codec.encode(event).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    await expect(createEventCodec({ registryUrl: 'http://127.0.0.1:9' }).prepare()).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true });
  });
});

describe('envelope and ids', () => {
  it('carries conversation, correlation and causation from cause to effect', () => {
    const cause = factory.create('StepMetrics', { runId: 'r', node: 'n', status: 'COMPLETED', attempt: 1, durationMs: 1, queueDelayMs: 0 }, context);
    expect(causedBy(cause)).toEqual({ conversationId: 'c', requestId: 'r', tenantId: 't', correlationId: 'k', causationId: 'id-1', customerId: null });
    const request = factory.create('RequestReceived', { channel: 'WEB', customerId: 'cust-9', customerTier: 'STANDARD', subject: null, message: 'hi', locale: null, attributes: {} }, context);
    expect(causedBy(request).customerId).toBe('cust-9');
  });

  it('derives the same event id for the same step and a different one otherwise', () => {
    const key = { conversationId: 'c', checkpointId: 'ck', node: 'triage', eventType: 'AgentStepCompleted' };
    const id = deterministicEventId(key);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId({ ...key })).toBe(id);
    expect(deterministicEventId({ ...key, node: 'research' })).not.toBe(id);
    expect(deterministicEventId({ ...key, checkpointId: 'ck2' })).not.toBe(id);
    expect(deterministicEventId({ ...key, index: 1 })).not.toBe(id);
    expect(stableId('a', 'bc')).not.toBe(stableId('ab', 'c'));
  });
});
