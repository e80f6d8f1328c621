import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createEventCodec, createEventFactory, createRegistryClient, EVENT_SCHEMAS, EventDecodeError, type EventType, type SupportEvent } from '@supportstream/events';
import { createDeadLetterProducer, createEventProducer, createKafka, type ConsumedMessage } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { cliPath, SAMPLE_DATA, stackConfig, testLogger, uniqueName } from '@supportstream/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../commands.js';
import { auditHistoryCommand } from './history.js';

const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'audit-history-test', logger });

async function run(command: (context: CommandContext) => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command({ config, logger, print: (line) => out.push(line), printError: (line) => err.push(line) });
  return { code, out, err };
}

interface JsonEntry {
  readonly kind: string;
  readonly type?: string;
  readonly eventId?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly schemaId?: number;
  readonly schemaSubject?: string | null;
  readonly schemaVersion?: number | null;
  readonly producer?: string;
  readonly causationId?: string | null;
  readonly causationChain?: string[];
  readonly depth?: number;
  readonly duplicateOf?: string | null;
  readonly data?: Record<string, unknown>;
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
  readonly originalTopic?: string | null;
  readonly dlqTopic?: string;
}

// One conversation with a known causation structure, published out of order:
//   request (t0) ─┬─ moderate step (t0+100) ── triage step (t0+200) ── run completed (t0+150: an earlier clock)
//                 └─ step metrics (t0+100)
//   alert (t0+50), caused by an event of another conversation: a root
//   the moderate step again under the same id (a re-emission after a crash)
const conversationId = uniqueName('audit-history');
const t0 = Date.now() - 60_000;
const factory = createEventFactory({ producer: 'audit-history-test' });
const make = <T extends EventType>(type: T, atMs: number, causationId: string | null): SupportEvent =>
  factory.create(type, SAMPLE_DATA[type], { conversationId, requestId: 'req-1', tenantId: 'tenant-audit', correlationId: 'corr-1', causationId }, undefined, new Date(t0 + atMs)) as SupportEvent;
const request = make('RequestReceived', 0, null);
const moderate = make('AgentStepCompleted', 100, request.metadata.eventId);
const metrics = make('StepMetrics', 100, request.metadata.eventId);
const triage = make('AgentStepCompleted', 200, moderate.metadata.eventId);
const completed = make('RunCompleted', 150, triage.metadata.eventId);
const alert = make('SupervisorAlert', 50, 'an-event-of-another-conversation');

beforeAll(async () => {
  const producer = createEventProducer({ kafka, codec: createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL }), logger, metrics: createMetricsRegistry({}, false) });
  await producer.connect();
  try {
    await producer.publish([triage, completed, moderate, alert, metrics, request]);
    await producer.publish([moderate]);
  } finally {
    await producer.disconnect();
  }
  // A poison message as the consumer runtime dead-letters it: original bytes and key, error headers.
  const raw = createDeadLetterProducer(kafka);
  await raw.connect();
  try {
    const message: ConsumedMessage = { key: Buffer.from(conversationId), value: Buffer.from('definitely not avro'), timestamp: String(Date.now()), offset: '4242', headers: {} };
    await raw.send('agent.actions.dlq', { topic: 'agent.actions', partition: 3, message, group: 'supportstream-research', error: new EventDecodeError('UNDECODABLE', 'poison for the audit test'), attempts: 1, failedAt: new Date() });
  } finally {
    await raw.disconnect();
  }
  // Connects two producers and looks up six schemas in the registry: slow, not stuck, when the int
  // project's other worker loads the 2 cores (a CI run once passed the 60 s default here).
}, 180_000);

describe('audit history', () => {
  it('orders the events by time with causes first, indents them under their causes and shows schema versions and ids', async () => {
    const { code, out } = await run((context) => auditHistoryCommand(context, conversationId, {}));
    expect(code).toBe(0);
    const lines = out.filter((line) => / event [0-9a-f-]{36} /.test(line));
    const order = lines.map((line) => /event ([0-9a-f-]{36})/.exec(line)?.[1]);
    const [r, m, s, tr, c, a] = [request, moderate, metrics, triage, completed, alert].map((event) => event.metadata.eventId);
    expect(order).toEqual([r, a, m, m, s, tr, c]);
    const prefix = (line: string) => /^\S+ {2}( *(?:└ )?[A-Za-z]+) {2}/.exec(line)?.[1];
    expect(lines.map(prefix)).toEqual([
      'RequestReceived',
      'SupervisorAlert',
      '└ AgentStepCompleted',
      '└ AgentStepCompleted',
      '└ StepMetrics',
      '  └ AgentStepCompleted',
      '    └ RunCompleted',
    ]);
    expect(lines[0]).toContain('customer.requests-io.supportstream.events.RequestReceived v');
    expect(lines[0]).toContain('producer audit-history-test');
    expect(lines[1]).toContain('root (cause an-event-of-another-conversation is outside the conversation)');
    expect(lines[3]).toMatch(/\(duplicate of agent\.actions\[\d+\]@\d+\)/);
    expect(lines[6]).toContain(`cause ${tr}`);
    expect(out.join('\n')).toMatch(/dead-lettered[\s\S]*agent\.actions\.dlq\[\d+\]@\d+ +from agent\.actions\[3\]@4242 +UNDECODABLE: poison for the audit test/);
  });

  it('prints one JSON document with the schema subject and version the registry holds for each record', async () => {
    const { code, out } = await run((context) => auditHistoryCommand(context, conversationId, { json: true }));
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const entries = JSON.parse(out[0] ?? '') as JsonEntry[];
    const events = entries.filter((entry) => entry.kind === 'event');
    expect(events.map((entry) => entry.type)).toEqual(['RequestReceived', 'SupervisorAlert', 'AgentStepCompleted', 'AgentStepCompleted', 'StepMetrics', 'AgentStepCompleted', 'RunCompleted']);
    const registry = createRegistryClient(config.SCHEMA_REGISTRY_URL);
    for (const entry of events) {
      const definition = EVENT_SCHEMAS.find((schema) => schema.eventType === entry.type);
      const registered = await registry.lookup(definition?.subject ?? '', definition?.schema);
      expect(entry).toMatchObject({ schemaSubject: registered?.subject, schemaVersion: registered?.version, schemaId: registered?.id, producer: 'audit-history-test' });
    }
    const last = events.at(-1);
    expect(last).toMatchObject({ eventId: completed.metadata.eventId, causationId: triage.metadata.eventId, depth: 3, data: { outcome: 'RESOLVED_AFTER_APPROVAL' } });
    expect(last?.causationChain).toEqual([request.metadata.eventId, moderate.metadata.eventId, triage.metadata.eventId]);
    expect(events[1]).toMatchObject({ depth: 0, causationChain: [] });
    expect(events[3]?.duplicateOf).toBe(`${events[2]?.topic}[${events[2]?.partition}]@${events[2]?.offset}`);
    const dead = entries.filter((entry) => entry.kind === 'deadLetter');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ dlqTopic: 'agent.actions.dlq', originalTopic: 'agent.actions', errorCode: 'UNDECODABLE', errorMessage: 'poison for the audit test', decodable: false });
  });

  it('exits 1 with a message for a conversation without events, in process and through the built CLI alias', async () => {
    const unknown = uniqueName('audit-nobody');
    const { code, out, err } = await run((context) => auditHistoryCommand(context, unknown, {}));
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain(`no events for conversation ${unknown}`);
    const failure = await promisify(execFile)(process.execPath, [cliPath(), 'conversation', unknown], { env: process.env, timeout: 60_000 }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain(`no events for conversation ${unknown}`);
  });

  it('runs as `audit history --json` from the built CLI', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [cliPath(), 'audit', 'history', conversationId, '--json'], { env: process.env, timeout: 60_000 });
    const entries = JSON.parse(stdout) as JsonEntry[];
    expect(entries.filter((entry) => entry.kind === 'event')).toHaveLength(7);
  });
});
