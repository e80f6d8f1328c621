import { createKeyVault, inMemoryDataKeyStore } from '@supportstream/privacy';
import { stackConfig } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { createEventCodec, EventDecodeError } from './codec.js';
import { causedBy, createEventFactory } from './envelope.js';
import { ERASED_FIELD } from './personalFields.js';

const masterKeys = { current: 'm1', keys: { m1: Buffer.alloc(32, 7) } };
const vault = createKeyVault({ store: inMemoryDataKeyStore(), masterKeys });
const registryUrl = stackConfig().SCHEMA_REGISTRY_URL;
const sealing = createEventCodec({ registryUrl, cipher: vault, autoRegister: true });
const plain = createEventCodec({ registryUrl, autoRegister: true });
const factory = createEventFactory({ producer: 'sealing-test' });
const context = { conversationId: 'conv-seal', requestId: 'req-seal', tenantId: 'tenant-seal', correlationId: 'corr-seal', causationId: null };
const card = '4111 1111 1111 1111';

const request = (customerId: string, message = `refund my card ${card}`) =>
  factory.create(
    'RequestReceived',
    { channel: 'WEB', customerId, customerTier: 'STANDARD', subject: 'Jane Doe', message, locale: null, attributes: { email: 'jane@example.com' } },
    { ...context, customerId },
  );

describe('personal fields on the wire', () => {
  it('seals them with the customer key: the bytes hold no clear text, a codec with the key reads it back', async () => {
    const event = request('cust-seal-1');
    const bytes = await sealing.encode(event);
    for (const clear of [card, 'Jane Doe', 'jane@example.com']) expect(bytes.toString('latin1')).not.toContain(clear);
    expect(bytes.toString('latin1')).toContain('cust-seal-1');
    const decoded = await sealing.decode(bytes);
    expect(decoded.event.data).toEqual(event.data);
    expect(decoded.event.metadata.customerId).toBe('cust-seal-1');
    // Without the vault the sealed form is all a reader sees.
    const opaque = (await plain.decode(bytes)).event;
    expect(opaque.type === 'RequestReceived' && opaque.data.message).toMatch(/^enc:v1:[A-Za-z0-9_-]{16}:/);
  });

  it('carries the customer to the events a request causes, and seals theirs with the same key', async () => {
    const cause = request('cust-seal-2');
    const step = factory.create(
      'AgentStepCompleted',
      { runId: 'r', node: 'solution', checkpointId: 'ck', stepIndex: 3, attempt: 1, next: 'quality', summary: `drafted a refund to ${card}`, output: '{}', durationMs: 1 },
      causedBy(cause),
    );
    expect(step.metadata.customerId).toBe('cust-seal-2');
    const bytes = await sealing.encode(step);
    expect(bytes.toString('latin1')).not.toContain(card);
    expect((await sealing.decode(bytes)).event.data).toEqual(step.data);
  });

  it('reads a clear-text event (an older producer, or one that does not seal) as it is', async () => {
    const event = request('cust-seal-3');
    const decoded = await sealing.decode(await plain.encode(event));
    expect(decoded.event.data).toEqual(event.data);
  });

  it('keeps a value an external producer sealed already, and opens it', async () => {
    const sealedMessage = await vault.encrypt('tenant-seal', 'cust-seal-4', 'sealed by the producer');
    const bytes = await sealing.encode(request('cust-seal-4', sealedMessage));
    const opaque = (await plain.decode(bytes)).event;
    expect(opaque.type === 'RequestReceived' && opaque.data.message).toBe(sealedMessage);
    const decoded = (await sealing.decode(bytes)).event;
    expect(decoded.type === 'RequestReceived' && decoded.data.message).toBe('sealed by the producer');
  });

  it('reads an erased customer as [erased] in every personal field, and everything else as it was', async () => {
    const event = request('cust-seal-5');
    const bytes = await sealing.encode(event);
    expect(await vault.erase('tenant-seal', 'cust-seal-5', { by: 'test', reason: 'erasure request' })).toBe(true);
    const decoded = (await sealing.decode(bytes)).event;
    expect(decoded.data).toEqual({ ...event.data, subject: ERASED_FIELD, message: ERASED_FIELD, attributes: { email: ERASED_FIELD } });
    expect(decoded.metadata.eventId).toBe(event.metadata.eventId);
  });

  it('dead-letters a value sealed for another customer, naming why', async () => {
    const foreign = await vault.encrypt('tenant-seal', 'cust-seal-6', 'not yours');
    const bytes = await sealing.encode(request('cust-seal-7', foreign));
    const error = await sealing.decode(bytes).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventDecodeError);
    expect(error).toMatchObject({ code: 'INVALID_EVENT', retriable: false });
    expect((error as Error).message).toMatch(/personal field does not open/);
  });
});
