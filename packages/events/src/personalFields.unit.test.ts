import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS } from './generated/eventSchemas.js';
import type { ApprovalRequestedData, RequestReceivedData } from './generated/types.js';
import { customerOf, ERASED_FIELD, erasePersonalFields, mapPersonalFieldsAsync, personalPaths, personalPathsOf, reviveJsonData, timestampPathsOf } from './personalFields.js';
import type { EventSchemaDefinition } from './schemaSet.js';

const request: RequestReceivedData = {
  channel: 'WEB',
  customerId: 'cust-1',
  customerTier: 'STANDARD',
  subject: null,
  message: 'My card 4111 1111 1111 1111 was charged twice',
  locale: 'en',
  attributes: { orderId: 'o-1', email: 'jane@example.com' },
};

const approval: ApprovalRequestedData = {
  approvalId: 'a-1',
  runId: 'r-1',
  checkpointId: 'ck',
  reason: 'refund over threshold',
  risk: 'HIGH',
  riskScore: 0.9,
  proposedReply: 'Dear Jane, we refund 250 EUR',
  proposedActions: [
    { kind: 'refund', description: 'refund Jane for order o-1', amount: { amountMicros: 250_000_000, currency: 'EUR' }, parameters: { orderId: 'o-1' } },
  ],
  expiresAt: new Date(0),
};

describe('personal fields', () => {
  it('reads the marked fields of every schema, nested records and maps included', () => {
    expect(personalPaths('RequestReceived')).toEqual([['subject'], ['message'], ['attributes', '*']]);
    expect(personalPaths('AgentStepCompleted')).toEqual([['summary'], ['output']]);
    expect(personalPaths('ApprovalRequested')).toEqual([['proposedReply'], ['proposedActions', '[]', 'description']]);
    expect(personalPaths('ApprovalDecided')).toEqual([['comment'], ['editedReply']]);
    expect(personalPaths('ReplyReady')).toEqual([['body']]);
    // Analytics carries no free text: nothing to seal.
    expect(personalPaths('LlmUsage')).toEqual([]);
    expect(personalPaths('StepMetrics')).toEqual([]);
  });

  it('erases every personal string and leaves ids, amounts, nulls and the original untouched', () => {
    const erased = erasePersonalFields('RequestReceived', request);
    expect(erased).toEqual({ ...request, message: ERASED_FIELD, attributes: { orderId: ERASED_FIELD, email: ERASED_FIELD } });
    expect(request.message).toContain('4111');
    const erasedApproval = erasePersonalFields('ApprovalRequested', approval);
    expect(erasedApproval.proposedReply).toBe(ERASED_FIELD);
    expect(erasedApproval.proposedActions[0]).toEqual({ ...approval.proposedActions[0], description: ERASED_FIELD });
    expect(erasedApproval.reason).toBe(approval.reason);
  });

  it('maps asynchronously in one pass, and returns the same object when nothing changes', async () => {
    const seen: string[] = [];
    const sealed = await mapPersonalFieldsAsync('RequestReceived', request, (value) => {
      seen.push(value);
      return Promise.resolve(`sealed(${value})`);
    });
    expect(seen).toEqual([request.message, 'o-1', 'jane@example.com']);
    expect(sealed.message).toBe(`sealed(${request.message})`);
    expect(sealed.attributes).toEqual({ orderId: 'sealed(o-1)', email: 'sealed(jane@example.com)' });
    expect(await mapPersonalFieldsAsync('RequestReceived', request, (value) => Promise.resolve(value))).toBe(request);
  });

  it('names the customer from the envelope, else from the data', () => {
    const metadata = { customerId: null } as never;
    expect(customerOf({ metadata, data: request })).toBe('cust-1');
    expect(customerOf({ metadata: { customerId: 'cust-2' } as never, data: approval })).toBe('cust-2');
    expect(customerOf({ metadata, data: approval })).toBeNull();
  });

  it('refuses a schema that marks a non-string or an envelope field as personal', () => {
    const base = EVENT_SCHEMAS.find((definition) => definition.eventType === 'StepMetrics')!;
    const withData = (fields: unknown[]): EventSchemaDefinition => ({
      ...base,
      schema: { ...base.schema, fields: [base.schema.fields![0]!, { name: 'data', type: { type: 'record', name: 'D', fields } }] as never },
    });
    expect(() => personalPathsOf(withData([{ name: 'n', type: 'long', personal: true }]))).toThrow(/data\.n is marked personal but is a long/);
    expect(() => personalPathsOf(withData([{ name: 'u', type: ['null', 'string', 'long'], personal: true }]))).toThrow(/union/);
    expect(personalPathsOf(withData([{ name: 'tags', type: { type: 'array', items: 'string' }, personal: true }]))).toEqual([['tags', '[]']]);
    expect(() => personalPathsOf(withData([{ name: 'r', type: { type: 'record', name: 'R', fields: [] }, personal: true }]))).toThrow(/data\.r is marked personal but is a record/);
    const personalEnvelope: EventSchemaDefinition = {
      ...base,
      schema: { ...base.schema, fields: [{ name: 'metadata', type: { type: 'record', name: 'M', fields: [{ name: 'note', type: 'string', personal: true }] } }, base.schema.fields![1]!] as never },
    };
    expect(() => personalPathsOf(personalEnvelope)).toThrow(/the envelope may not have personal fields/);
  });

  it('follows named types, unions and a recursive record in one walk, for personal fields and timestamps alike', () => {
    const base = EVENT_SCHEMAS.find((definition) => definition.eventType === 'StepMetrics')!;
    const node = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'text', type: ['null', 'string'], personal: true },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'children', type: { type: 'array', items: 'Node' } },
      ],
    };
    const definition: EventSchemaDefinition = {
      ...base,
      schema: {
        ...base.schema,
        fields: [
          base.schema.fields![0]!,
          { name: 'data', type: { type: 'record', name: 'D', fields: [{ name: 'root', type: node }, { name: 'byKey', type: { type: 'map', values: ['null', 'Node'] } }] } },
        ] as never,
      },
    };
    expect(personalPathsOf(definition)).toEqual([['root', 'text'], ['byKey', '*', 'text']]);
    expect(timestampPathsOf(definition)).toEqual([['root', 'at'], ['byKey', '*', 'at']]);
  });
});

describe('event data from JSON', () => {
  it('turns the timestamps JSON made strings back into Dates, nested ones included', () => {
    const json = JSON.parse(JSON.stringify(approval)) as ApprovalRequestedData;
    expect(typeof json.expiresAt).toBe('string');
    const revived = reviveJsonData('ApprovalRequested', json);
    expect(revived.expiresAt).toEqual(new Date(0));
    expect(revived.proposedReply).toBe(approval.proposedReply);
    expect(timestampPathsOf(EVENT_SCHEMAS.find((definition) => definition.eventType === 'ApprovalExpired')!)).toEqual([['expiredAt']]);
  });
});
