import { createPool } from '@supportstream/db';
import { DEFAULT_POLICY } from '@supportstream/domain';
import { createEventCodec, createEventFactory, type SupportEvent } from '@supportstream/events';
import { createEventProducer, createKafka, readToEnd } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { loadAgentServiceEnv } from '@supportstream/platform';
import { deleteTopics, stackConfig, testKafka, testLogger, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../commands.js';
import { AUDIT_TOPICS } from './history.js';
import { createReplayEngine, type ReplayEngine, type ReplayResult } from './replayEngine.js';
import type { WhatIfReport } from './whatIfReport.js';
import { auditWhatIfCommand, shadowThread, shadowTopic } from './whatIf.js';

const config = stackConfig();
const logger = testLogger();
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'audit-whatif-test', logger });
const codec = createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL });
const pool = createPool(config.DATABASE_URL, { max: 2, applicationName: 'audit-whatif-test' });

async function run(command: (context: CommandContext) => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command({ config, logger, print: (line) => out.push(line), printError: (line) => err.push(line) });
  return { code, out, err };
}

// Three requests of a tenant of their own, in a window of their own (the topics are shared):
// a how-to question and a legal threat recorded with today's graph, and a how-to question recorded
// under a stricter escalation policy (every draft below confidence 1.01 needs a supervisor) that
// today's graph answers directly: the one difference the replay must find.
const tenantId = uniqueName('tenant-whatif');
const base = Date.now() - 10 * 60_000;
const from = new Date(base);
const to = new Date(base + 3_000);
const factory = createEventFactory({ producer: 'audit-whatif-test' });
const requestAt = (index: number, message: string) => {
  const conversationId = uniqueName(`audit-whatif-conv${index}`);
  return factory.create(
    'RequestReceived',
    { channel: 'WEB', customerId: `cust-${index}`, customerTier: 'STANDARD', subject: null, message, locale: null, attributes: {} },
    { conversationId, requestId: uniqueName('req'), tenantId, correlationId: uniqueName('corr'), causationId: null },
    undefined,
    new Date(base + index * 1_000),
  );
};
const requests = [
  requestAt(0, 'How do I reset my password?'),
  requestAt(1, 'I will take legal action and contact my lawyer about my last order.'),
  requestAt(2, 'How long does shipping to Germany take?'),
];
const conversations = requests.map((request) => request.metadata.conversationId);
const published = new Set<string>();
const replays: string[] = [];
let recorded: ReplayResult[];
let engine: ReplayEngine;

const checkpointCount = async (threadPattern: string) =>
  Number((await pool.query<{ count: string }>('SELECT count(*) FROM langgraph.checkpoints WHERE thread_id LIKE $1', [threadPattern])).rows[0]?.count);

const realEventsOfTheConversations = async () =>
  (await readToEnd(kafka, codec, AUDIT_TOPICS)).map((record) => record.event).filter((event) => conversations.includes(event.metadata.conversationId));

beforeAll(async () => {
  // The recorded runs: the real graph in this process (offline provider), their events published
  // to the real topics as the services would have published them.
  const env = loadAgentServiceEnv();
  engine = await createReplayEngine({ env, logger, producer: 'audit-whatif-recorder' });
  const strict = await createReplayEngine({ env, logger, producer: 'audit-whatif-recorder', policy: { ...DEFAULT_POLICY, minConfidence: 1.01 } });
  try {
    recorded = [await engine.run(requests[0]!, conversations[0]!), await engine.run(requests[1]!, conversations[1]!), await strict.run(requests[2]!, conversations[2]!)];
  } finally {
    await strict.close();
  }
  const producer = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false) });
  await producer.connect();
  try {
    for (const [index, request] of requests.entries()) {
      const events: SupportEvent[] = [request, ...(recorded[index]?.events ?? [])];
      await producer.publish(events);
      for (const event of events) published.add(event.metadata.eventId);
    }
  } finally {
    await producer.disconnect();
  }
}, 120_000);

afterAll(async () => {
  for (const conversationId of conversations) await engine.deleteThread(conversationId);
  for (const replayId of replays) for (const conversationId of conversations) await engine.deleteThread(shadowThread(replayId, conversationId));
  await engine.close();
  await deleteTopics(testKafka(), replays.flatMap((replayId) => AUDIT_TOPICS.map((topic) => shadowTopic(replayId, topic))));
  await pool.end();
}, 60_000);

describe('audit whatif', () => {
  it('replays a window into shadow topics and threads, finds the changed outcome, and touches nothing real', async () => {
    expect(recorded.map((result) => result.outcome)).toEqual(['RESOLVED', 'AWAITING_APPROVAL', 'AWAITING_APPROVAL']);
    const realCheckpoints = await checkpointCount(conversations[0]!);
    const { code, out } = await run((context) => auditWhatIfCommand(context, { from, to, tenant: tenantId, json: true, keep: true }));
    expect(code).toBe(0);
    const report = JSON.parse(out[0] ?? '') as WhatIfReport;
    replays.push(report.replayId);

    expect(report.requests.map((request) => request.conversationId)).toEqual(conversations);
    const [howTo, legal, stricter] = report.requests;
    expect(howTo).toMatchObject({ sameOutcome: true, routeChanged: false, replyChanged: false, recorded: { outcome: 'RESOLVED' }, shadow: { outcome: 'RESOLVED', reply: recorded[0]?.reply } });
    expect(legal).toMatchObject({ sameOutcome: true, routeChanged: false, replyChanged: false, recorded: { outcome: 'AWAITING_APPROVAL', escalated: true }, shadow: { outcome: 'AWAITING_APPROVAL', escalated: true } });
    expect(stricter).toMatchObject({ sameOutcome: false, routeChanged: true, escalationChanged: true, recorded: { outcome: 'AWAITING_APPROVAL', escalated: true }, shadow: { outcome: 'RESOLVED', escalated: false } });
    expect(stricter?.shadow.route).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'respond']);
    expect(report.summary).toEqual({ total: 3, sameOutcome: 2, differentOutcome: 1, routesChanged: 1, repliesChanged: 0, escalationsChanged: 1, recordedMissing: 0, shadowIncomplete: 0 });

    // The shadow topics hold the replay: the requests, then every step's events, from the replay's producer.
    const shadow = (await readToEnd(kafka, codec, report.shadowTopics)).map((record) => ({ topic: record.topic, event: record.event }));
    const ofType = (type: string) => shadow.filter(({ event }) => event.type === type);
    expect(ofType('RequestReceived').map(({ event }) => event.metadata.eventId)).toEqual(requests.map((request) => request.metadata.eventId));
    expect(ofType('RunCompleted').map(({ event }) => event.metadata.conversationId).sort()).toEqual([conversations[0], conversations[2]].sort());
    expect(ofType('ApprovalRequested').map(({ topic, event }) => [topic, event.metadata.conversationId])).toEqual([[shadowTopic(report.replayId, 'human.approvals'), conversations[1]]]);
    expect(new Set(shadow.filter(({ event }) => event.type !== 'RequestReceived').map(({ event }) => event.metadata.producer))).toEqual(new Set([`whatif-${report.replayId}`]));

    // Nothing reached the real topics, and the real threads kept their checkpoints; the shadow threads were kept (--keep).
    const real = await realEventsOfTheConversations();
    expect(new Set(real.map((event) => event.metadata.eventId))).toEqual(published);
    expect(real.filter((event) => event.metadata.producer.startsWith('whatif-'))).toEqual([]);
    expect(await checkpointCount(conversations[0]!)).toBe(realCheckpoints);
    const kept = await pool.query<{ thread_id: string }>('SELECT DISTINCT thread_id FROM langgraph.checkpoints WHERE thread_id LIKE $1', [`${report.shadowThreadPrefix}%`]);
    expect(kept.rows.map((row) => row.thread_id).sort()).toEqual(conversations.map((conversationId) => shadowThread(report.replayId, conversationId)).sort());
  }, 120_000);

  it('reports the same again in the human format, and deletes the shadow checkpoints without --keep', async () => {
    const { code, out } = await run((context) => auditWhatIfCommand(context, { from, to, tenant: tenantId }));
    expect(code).toBe(0);
    const replayId = /^what-if replay (\S+): 3 request\(s\)/.exec(out[0] ?? '')?.[1];
    expect(replayId).toBeDefined();
    replays.push(replayId!);
    expect(out).toContain(`shadow checkpoints (threads whatif-${replayId}-*): deleted`);
    const changed = out.find((line) => line.includes(conversations[2]!));
    expect(changed).toContain('recorded AWAITING_APPROVAL → shadow RESOLVED  OUTCOME CHANGED, route changed, same reply, escalation yes → no');
    expect(out).toContain('    route: moderate > triage > research > solution > quality  →  moderate > triage > research > solution > quality > respond');
    expect(out.at(-1)).toBe(
      'summary: 3 request(s): 2 same outcome, 1 different outcome, 1 route(s) changed, 0 reply(ies) changed, 1 escalation(s) changed; 0 without a recorded run, 0 shadow run(s) incomplete',
    );
    // The runs happened (their events are in the shadow topics), and their checkpoints are gone.
    const completed = (await readToEnd(kafka, codec, [shadowTopic(replayId!, 'agent.actions')])).filter((record) => record.event.type === 'RunCompleted');
    expect(completed).toHaveLength(2);
    expect(await checkpointCount(`whatif-${replayId}-%`)).toBe(0);
  }, 120_000);

  it('counts a run that overruns its timeout as TIMEOUT, and still deletes what it checkpointed', async () => {
    const { code, out } = await run((context) => auditWhatIfCommand(context, { from, to, tenant: tenantId, json: true, runTimeoutMs: 1 }));
    expect(code).toBe(0);
    const report = JSON.parse(out[0] ?? '') as WhatIfReport;
    replays.push(report.replayId);
    expect(report.requests.map((request) => request.shadow.outcome)).toEqual(['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
    expect(report.summary).toMatchObject({ total: 3, shadowIncomplete: 3, differentOutcome: 3 });
    expect(await checkpointCount(`${report.shadowThreadPrefix}%`)).toBe(0);
  }, 120_000);

  it('refuses an empty window and a bad time range', async () => {
    const empty = await run((context) => auditWhatIfCommand(context, { from, to, tenant: uniqueName('tenant-nobody') }));
    expect(empty).toMatchObject({ code: 1, out: [] });
    expect(empty.err.join('\n')).toContain('no RequestReceived on customer.requests in');
    expect((await run((context) => auditWhatIfCommand(context, { from: to, to: from }))).code).toBe(2);
    expect((await run((context) => auditWhatIfCommand(context, { from: new Date('yesterday'), to }))).code).toBe(2);
  });
});
