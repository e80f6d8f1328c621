import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAvro } from './logicalTypes.js';
import { readSchemaDir } from './schemaFiles.js';
import { composeEventSchemas, SchemaSetError, type SchemaFile } from './schemaSet.js';
import { generateTypes } from './typeGenerator.js';

const ns = 'io.example';
const file = (path: string, schema: unknown): SchemaFile => ({ path, content: JSON.stringify(schema) });
const metadata = file('common/Meta.avsc', { type: 'record', name: 'Meta', namespace: ns, fields: [{ name: 'eventId', type: 'string' }] });
const money = file('common/Money.avsc', { type: 'record', name: 'Money', namespace: ns, fields: [{ name: 'amountMicros', type: 'long' }] });
const event = (name: string, dataFields: unknown[]) => ({
  type: 'record',
  name,
  namespace: ns,
  fields: [
    { name: 'metadata', type: `${ns}.Meta` },
    { name: 'data', type: { type: 'record', name: `${name}Data`, fields: dataFields } },
  ],
});

describe('composeEventSchemas', () => {
  it('inlines each shared type once and refers to it by name afterwards', () => {
    const [definition] = composeEventSchemas([
      metadata,
      money,
      file('payments/Refunded.avsc', event('Refunded', [
        { name: 'amount', type: `${ns}.Money` },
        { name: 'fee', type: ['null', `${ns}.Money`], default: null },
      ])),
    ]);
    expect(definition).toMatchObject({ eventType: 'Refunded', topic: 'payments', subject: 'payments-io.example.Refunded', fullName: 'io.example.Refunded' });
    const text = JSON.stringify(definition?.schema);
    expect(text.match(/"name":"io.example.Money"/g)).toHaveLength(1);
    expect(text).toContain('["null","io.example.Money"]');
    // The composed schema is a standalone, valid Avro schema.
    const type = parseAvro(definition?.schema);
    const value = { metadata: { eventId: 'e' }, data: { amount: { amountMicros: 5 }, fee: null } };
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
  });

  it('rejects an unknown type reference, naming the file', () => {
    expect(() => composeEventSchemas([metadata, file('t/E.avsc', event('E', [{ name: 'x', type: `${ns}.Nope` }]))])).toThrow(/t\/E.avsc: unknown type "io.example.Nope"/);
  });

  it('requires the file name to match the record and the envelope fields', () => {
    expect(() => composeEventSchemas([metadata, file('t/Other.avsc', event('E', []))])).toThrow(SchemaSetError);
    const noEnvelope = { type: 'record', name: 'E', namespace: ns, fields: [{ name: 'data', type: 'string' }] };
    expect(() => composeEventSchemas([file('t/E.avsc', noEnvelope)])).toThrow(/metadata and data/);
  });

  it('rejects one event type declared on two topics', () => {
    expect(() => composeEventSchemas([metadata, file('a/E.avsc', event('E', [])), file('b/E.avsc', { ...event('E', []), namespace: 'io.other' })])).toThrow(
      /also declared/,
    );
  });
});

describe("the repository's schemas", () => {
  const schemasDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../schemas');

  it('declare the events of the design (and the operator audit event DeadLetterReplayed), each on its topic, each standalone', async () => {
    const definitions = composeEventSchemas(await readSchemaDir(schemasDir));
    const byTopic = Object.fromEntries(
      [...new Set(definitions.map((d) => d.topic))].map((topic) => [topic, definitions.filter((d) => d.topic === topic).map((d) => d.eventType).sort()]),
    );
    expect(byTopic).toEqual({
      'customer.requests': ['RequestReceived'],
      'agent.actions': ['AgentStepCompleted', 'RunCompleted', 'StepFailed'],
      'human.approvals': ['ApprovalDecided', 'ApprovalExpired', 'ApprovalRequested'],
      'notifications.outbound': ['ReplyReady', 'SupervisorAlert'],
      'system.analytics': ['DeadLetterReplayed', 'LlmUsage', 'RequestOutcome', 'StepMetrics'],
    });
    for (const definition of definitions) {
      expect(() => parseAvro(definition.schema)).not.toThrow();
      const envelope = JSON.stringify(definition.schema);
      for (const field of ['eventId', 'type', 'occurredAt', 'conversationId', 'requestId', 'tenantId', 'causationId', 'correlationId', 'producer']) {
        expect(envelope, `${definition.eventType} carries ${field}`).toContain(`"name":"${field}"`);
      }
      expect(envelope).toContain('"logicalType":"timestamp-millis"');
    }
  });

  it('keeps money exact: amounts are integer micros with a currency, never floating point', async () => {
    const money = JSON.parse(readFileSync(resolve(schemasDir, 'common/Money.avsc'), 'utf8')) as { fields: { name: string; type: string }[] };
    expect(money.fields).toEqual([expect.objectContaining({ name: 'amountMicros', type: 'long' }), expect.objectContaining({ name: 'currency', type: 'string' })]);
  });

  it('generate readonly TypeScript types with nullable unions, enums and dates', async () => {
    const source = generateTypes(composeEventSchemas(await readSchemaDir(schemasDir)));
    expect(source).toContain('export interface RequestReceivedData {');
    expect(source).toMatch(/readonly causationId: null \| string;/);
    expect(source).toMatch(/readonly occurredAt: Date;/);
    expect(source).toContain("export type Channel = 'WEB' | 'EMAIL' | 'CHAT' | 'API' | 'PHONE';");
    expect(source).toContain('readonly proposedActions: readonly ProposedAction[];');
    expect(source).toContain("RequestReceived: 'customer.requests',");
  });
});
