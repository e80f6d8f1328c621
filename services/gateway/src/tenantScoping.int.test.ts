// Tenant scoping of every read, probed with real rows on both sides. Tenant A has a conversation
// (events, an approval, graph checkpoints), analytics minutes and a dead letter; so has tenant B,
// and a customer id that exists in both tenants. Every credential of tenant B — API keys of each
// staff role (as X-Api-Key and as a Bearer token), JWTs of every role, console sessions opened
// with a key and with a token — reads each route: A's rows are "not found" or absent from B's
// lists, and no answer to B holds any of A's ids. A's own credentials read the same paths and
// get A's rows, so every probe is one that would show them; B's lists hold B's rows, so "absent"
// is not an empty or broken list.
import { loadMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { InvalidInputError } from '@supportstream/errors';
import { createEventFactory, topicOf, type SupportEvent } from '@supportstream/events';
import { buildSupportGraph, readThread, runStartInput, terminalNodes, threadConfig, type NodeImplementations } from '@supportstream/graph';
import { createDeadLetterConsole, createDeadLetterProducer, createEventProducer, HEADER, postgresReplayLedger, type DeadLetterConsole, type DeadLetterProducer, type EventProducer } from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { createCheckpointer } from '@supportstream/pipeline';
import { createTopics, deleteTopics, SAMPLE_DATA, sampleContext, testLogger, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from './auth/principal.js';
import { encodeCursor } from './routes/conversationList.js';
import { apiClient, type CallOptions } from './test/conformance.js';
import { codec, kafka, signToken, startTestGateway, type TestGateway } from './test/harness.js';
import { openStream, type SseStream } from './test/sse.js';

const logger = testLogger();
const prefix = uniqueName('gw-scope');
const requestsTopic = `${prefix}.customer.requests`;
const approvalsTopic = `${prefix}.human.approvals`;
const analyticsTopic = `${prefix}.system.analytics`;
const dlqTopic = `${requestsTopic}.dlq`;
const A = uniqueName('tenant-scope-a');
const B = uniqueName('tenant-scope-b');
/** One customer id in both tenants: a customer of B named like A's customer still sees only B's rows. */
const sharedCustomer = uniqueName('cust-shared');
const factory = createEventFactory({ producer: 'scoping-test' });
const MINUTE = 60_000;

interface Seeded {
  readonly conversationId: string;
  readonly approvalId: string;
  readonly events: SupportEvent[];
}

/** A conversation of the tenant's shared customer waiting for an approval: request, a step, the approval request. */
function conversationOf(tenantId: string, marker: string): Seeded {
  const context = sampleContext({ tenantId });
  const approvalId = uniqueName(`appr-${marker}`);
  const request = factory.create('RequestReceived', { ...SAMPLE_DATA.RequestReceived, customerId: sharedCustomer, message: `${marker}: where is my order?` }, context);
  const step = factory.create('AgentStepCompleted', { ...SAMPLE_DATA.AgentStepCompleted, node: 'triage' }, { ...context, causationId: request.metadata.eventId });
  const approval = factory.create('ApprovalRequested', { ...SAMPLE_DATA.ApprovalRequested, approvalId }, { ...context, causationId: step.metadata.eventId });
  return { conversationId: context.conversationId, approvalId, events: [request, step, approval] };
}

const convA = conversationOf(A, 'tenant-a-secret');
const convB = conversationOf(B, 'tenant-b-own');

/** Scripted nodes: the checkpoints are what is probed, not the agents. */
const nodes: NodeImplementations = {
  moderate: () => Promise.resolve({ update: { moderation: { verdict: 'allow', categories: [], reason: '' } }, summary: 'moderated' }),
  triage: () =>
    Promise.resolve({
      update: { triageDecision: { category: 'account', priority: 'normal', sentiment: 'neutral', language: 'en', intent: 'question', confidence: 0.9, signals: [], refundAmount: null, orderId: null } },
      summary: 'question',
    }),
  research: () => Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Help', text: 'Answer.', score: 0.9 }] }, summary: 'found kb-1' }),
  solution: () => Promise.resolve({ update: { draft: { reply: 'Here is how.', citations: ['kb-1'], confidence: 0.9 }, proposedActions: [] }, summary: 'drafted' }),
  quality: () => Promise.resolve({ update: { review: { score: 0.9, issues: [], verdict: 'pass' } }, summary: 'passed' }),
  ...terminalNodes({ approvalTtlMs: 3_600_000 }),
};

/** One way of presenting a credential. */
interface Credential {
  readonly label: string;
  readonly role: Role;
  readonly auth: CallOptions;
  /** The same credential as request headers (for the SSE reader). */
  readonly headers: Record<string, string>;
}

const bearer = (label: string, role: Role, token: string): Credential => ({ label, role, auth: { token }, headers: { authorization: `Bearer ${token}` } });
const apiKeyHeader = (label: string, role: Role, key: string): Credential => ({ label, role, auth: { apiKey: key }, headers: { 'x-api-key': key } });
const cookie = (label: string, role: Role, pair: string): Credential => ({ label, role, auth: { headers: { cookie: pair } }, headers: { cookie: pair } });

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
let ledgerDb: ScratchSchema;
let events: EventProducer;
let letters: DeadLetterProducer;
let deadLetters: DeadLetterConsole;
/** Every credential of tenant B. */
const tenantB: Credential[] = [];
let adminA: Credential;
let customerA: Credential;
let checkpointA = '';
const opened: SseStream[] = [];

/** What no answer to tenant B may hold: A's tenant, conversation, approval and checkpoint ids, and what A's customer wrote. */
const markersOfA = () => [A, convA.conversationId, convA.approvalId, ...convA.events.map((event) => event.metadata.eventId), checkpointA, 'tenant-a-secret', `dlq-key-${convA.conversationId}`].filter((marker) => marker !== '');

function expectNothingOfA(label: string, text: string): void {
  for (const marker of markersOfA()) expect(text.includes(marker), `${label}: the answer holds ${marker}: ${text.slice(0, 300)}`).toBe(false);
}

async function signIn(body: { apiKey?: string; token?: string }): Promise<string> {
  const signed = await api.call('POST', '/v1/session', { body });
  expect(signed.status).toBe(201);
  const [pair = ''] = (signed.headers.getSetCookie()[0] ?? '').split(';');
  expect(pair).toMatch(/^supportstream_session=/);
  return pair;
}

async function deadLetter(event: SupportEvent, offset: number): Promise<void> {
  await letters.send(dlqTopic, {
    topic: requestsTopic,
    partition: 0,
    message: { key: Buffer.from(`dlq-key-${event.metadata.conversationId}`), value: await codec.encode(event), offset: String(offset), timestamp: String(Date.now()), headers: { [HEADER.eventType]: event.type } },
    group: 'supportstream-triage',
    error: new InvalidInputError('CRM_REFUSED', 'the CRM refused it'),
    attempts: 1,
    failedAt: new Date(),
  });
}

async function minute(tenantId: string, conversations: number): Promise<void> {
  const at = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE);
  await gw.db.pool.query('INSERT INTO analytics_minutes (tenant_id, minute, conversations, resolved, handling_ms) VALUES ($1, $2, $3, $3, $4)', [tenantId, at, conversations, conversations * 1_000]);
}

beforeAll(async () => {
  await createTopics(kafka, [requestsTopic], 1);
  await createTopics(kafka, [approvalsTopic, analyticsTopic], 1, false);
  ledgerDb = await createScratchSchema('gateway_scope');
  const migration = (await loadMigrations()).find((candidate) => candidate.name === 'dead_letters');
  if (migration === undefined) throw new Error('migration 015_dead_letters.sql is missing');
  await ledgerDb.pool.query(migration.sql);
  events = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: (event) => `${prefix}.${topicOf(event.type)}` });
  await events.connect();
  letters = createDeadLetterProducer(kafka);
  await letters.connect();
  const [requestA, requestB] = [convA.events[0]!, convB.events[0]!];
  await deadLetter(requestA, 0);
  await deadLetter(requestB, 1);
  deadLetters = createDeadLetterConsole({ kafka, codec, ledger: postgresReplayLedger({ pool: ledgerDb.pool }), events, topics: [requestsTopic, analyticsTopic], logger, producerName: 'gateway' });
  // Whatever a probe would publish by mistake goes to this test's own topics.
  gw = await startTestGateway({ deadLetters, overview: {}, requestsTopic, decisionsTopic: approvalsTopic, settings: { maxStreamsPerCredential: 5, heartbeatMs: 60_000, sessionTtlSeconds: 600 } });
  api = apiClient(gw.baseUrl);

  await gw.seed([...convA.events, ...convB.events]);
  await minute(A, 7);
  await minute(B, 2);
  // A's graph thread: checkpoints under A's conversation id.
  const graph = buildSupportGraph({ nodes, checkpointer: await createCheckpointer(gw.db.pool, gw.db.schema) });
  const receivedAt = new Date().toISOString();
  const context = convA.events[0]!.metadata;
  const info = { ...context, customerId: sharedCustomer, customerTier: 'STANDARD' as const, channel: 'WEB', subject: null, message: 'tenant-a-secret', receivedEventId: context.eventId, receivedAt };
  await graph.invoke(runStartInput(`run-${context.requestId}`, info, [], receivedAt), threadConfig(convA.conversationId));
  for (let step = 0; step < 20 && (await readThread(graph, convA.conversationId)).next.length > 0; step += 1) await graph.invoke(null, threadConfig(convA.conversationId));

  adminA = bearer('A admin JWT', 'admin', await signToken({ sub: 'admin@a.test', tenant: A, role: 'admin' }));
  customerA = bearer('A customer JWT', 'customer', await signToken({ sub: sharedCustomer, tenant: A, role: 'customer' }));
  for (const role of ['service', 'supervisor', 'admin'] as const) {
    const { key } = await gw.insertApiKey({ tenant: B, role });
    tenantB.push(apiKeyHeader(`B ${role} API key (X-Api-Key)`, role, key), bearer(`B ${role} API key (Bearer)`, role, key));
  }
  for (const role of ['customer', 'service', 'supervisor', 'admin'] as const) {
    tenantB.push(bearer(`B ${role} JWT`, role, await signToken({ sub: role === 'customer' ? sharedCustomer : `${role}@b.test`, tenant: B, role })));
  }
  const { key: consoleKey } = await gw.insertApiKey({ tenant: B, role: 'supervisor' });
  tenantB.push(cookie('B supervisor session (API key)', 'supervisor', await signIn({ apiKey: consoleKey })));
  tenantB.push(cookie('B admin session (JWT)', 'admin', await signIn({ token: await signToken({ sub: 'console-admin@b.test', tenant: B, role: 'admin' }) })));
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((sse) => sse.close()));
  await gw.close();
  await deadLetters.close();
  await letters.disconnect();
  await events.disconnect();
  await ledgerDb.drop();
  await deleteTopics(kafka, [requestsTopic, approvalsTopic, analyticsTopic]);
});

const STAFF: readonly Role[] = ['service', 'supervisor', 'admin'];
const APPROVERS: readonly Role[] = ['supervisor', 'admin'];
const everyone: readonly Role[] = ['customer', ...STAFF];

/** A's row through a route the role may use: 404; through one it may not: 403. Either way nothing of A in the answer. */
const refusal = (role: Role, allowed: readonly Role[]) => (allowed.includes(role) ? 404 : 403);

async function stream(path: string, credential: Credential): Promise<SseStream> {
  const sse = await openStream(`${gw.baseUrl}${path}`, credential.headers);
  opened.push(sse);
  return sse;
}

describe("tenant B's credentials never read tenant A's rows", () => {
  const conv = () => `/v1/conversations/${convA.conversationId}`;
  const readsOfA = (): { path: string; allowed: readonly Role[] }[] => [
    { path: conv(), allowed: everyone },
    { path: `${conv()}/events`, allowed: everyone },
    { path: `${conv()}/events?limit=500`, allowed: everyone },
    { path: `${conv()}/history`, allowed: STAFF },
    { path: `${conv()}/history?limit=500`, allowed: STAFF },
    { path: `${conv()}/checkpoints`, allowed: STAFF },
    { path: `${conv()}/checkpoints/latest`, allowed: STAFF },
    { path: `${conv()}/checkpoints/${checkpointA}`, allowed: STAFF },
  ];

  it("A's own credentials read every probed path (the probes would show A's rows)", async () => {
    const checkpoints = await api.call<{ checkpoints: { checkpointId: string }[] }>('GET', `${conv()}/checkpoints`, adminA.auth);
    expect(checkpoints.status).toBe(200);
    expect(checkpoints.body.checkpoints.length).toBeGreaterThan(1);
    checkpointA = checkpoints.body.checkpoints[0]?.checkpointId ?? '';
    for (const { path } of readsOfA()) {
      const response = await api.call('GET', path, adminA.auth);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect({ path, showsA: [convA.conversationId, convA.events[0]!.metadata.eventId].some((marker) => response.text.includes(marker)) }).toEqual({ path, showsA: true });
    }
    expect((await api.call('GET', conv(), customerA.auth)).status).toBe(200);
    const live = await stream(`${conv()}/stream`, adminA);
    expect(live.status).toBe(200);
    expect((await live.waitForMessages(3)).map((message) => message.data['eventId'])).toEqual(convA.events.map((event) => event.metadata.eventId));
    await live.close();

    const listed = await api.call<{ conversations: { conversationId: string; status: string }[] }>('GET', '/v1/conversations', adminA.auth);
    expect(listed.body.conversations.map((entry) => entry.conversationId)).toEqual([convA.conversationId]);
    expect(listed.body.conversations[0]?.status).toBe('AWAITING_APPROVAL');
    const approvals = await api.call<{ approvals: { approvalId: string }[] }>('GET', '/v1/approvals?status=pending', adminA.auth);
    expect(approvals.body.approvals.map((entry) => entry.approvalId)).toEqual([convA.approvalId]);
    const overview = await api.call<{ totals: { conversations: number }; approvals: { pending: number } }>('GET', '/v1/overview', adminA.auth);
    expect(overview.body).toMatchObject({ totals: { conversations: 7 }, approvals: { pending: 1 } });
    const letters = await api.call<{ deadLetters: { key: string | null; tenantId: string | null }[] }>('GET', '/v1/admin/dead-letters', adminA.auth);
    expect(letters.body.deadLetters.map((entry) => [entry.key, entry.tenantId])).toEqual([[`dlq-key-${convA.conversationId}`, A]]);
  });

  it("every B credential gets 404 (or 403 where its role may not go) for A's conversation, events, history and checkpoints", async () => {
    expect(checkpointA).not.toBe('');
    expect(tenantB.map((credential) => credential.label)).toHaveLength(12);
    for (const credential of tenantB) {
      for (const { path, allowed } of readsOfA()) {
        const response = await api.call('GET', path, credential.auth);
        expect({ who: credential.label, path, status: response.status }).toEqual({ who: credential.label, path, status: refusal(credential.role, allowed) });
        expectNothingOfA(`${credential.label} GET ${path}`, response.text);
      }
      const live = await stream(`${conv()}/stream`, credential);
      expect({ who: credential.label, stream: live.status }).toEqual({ who: credential.label, stream: 404 });
      await live.close();
    }
  });

  it("no B credential can continue A's conversation or decide A's approval (404, or 403 by role), and nothing is published", async () => {
    const before = gw.published.length;
    for (const credential of tenantB) {
      // A cookie session must send the CSRF header on a POST; with it, only the scoping decides.
      const auth = { ...credential.auth, headers: { ...credential.auth.headers, 'x-supportstream-csrf': '1' } };
      const submitted = await api.call('POST', '/v1/requests', { ...auth, body: { message: 'more', conversationId: convA.conversationId, ...(credential.role === 'customer' ? {} : { customerId: sharedCustomer }) } });
      expect({ who: credential.label, status: submitted.status }).toEqual({ who: credential.label, status: refusal(credential.role, ['customer', 'service', 'admin']) });
      expectNothingOfA(`${credential.label} POST /v1/requests`, submitted.text.replaceAll(convA.conversationId, '<asked>'));
      const decided = await api.call('POST', `/v1/approvals/${convA.approvalId}/decision`, { ...auth, body: { decision: 'APPROVED' } });
      expect({ who: credential.label, status: decided.status }).toEqual({ who: credential.label, status: refusal(credential.role, APPROVERS) });
      expectNothingOfA(`${credential.label} POST decision`, decided.text.replaceAll(convA.approvalId, '<asked>'));
    }
    expect(gw.published.slice(before)).toEqual([]);
  });

  it("B's conversation list, with and without filters, holds B's conversation and none of A's", async () => {
    const farFuture = encodeCursor({ updatedAtMicros: String((Date.now() + 86_400_000) * 1000), conversationId: 'zzzz' });
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const queries = [
      '',
      '?limit=200',
      '?status=AWAITING_APPROVAL',
      '?status=awaiting_approval,received,in_progress,resolved',
      `?customerId=${sharedCustomer}`,
      `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      `?status=AWAITING_APPROVAL&customerId=${sharedCustomer}&from=${encodeURIComponent(from)}&limit=200`,
      `?after=${farFuture}`,
    ];
    for (const credential of tenantB) {
      for (const query of queries) {
        const response = await api.call<{ conversations: { conversationId: string; tenantId: string }[] }>('GET', `/v1/conversations${query}`, credential.auth);
        expect({ who: credential.label, query, status: response.status }).toEqual({ who: credential.label, query, status: 200 });
        expect({ who: credential.label, query, ids: response.body.conversations?.map((entry) => entry.conversationId) }).toEqual({ who: credential.label, query, ids: [convB.conversationId] });
        expectNothingOfA(`${credential.label} GET /v1/conversations${query}`, response.text);
      }
    }
  });

  it("B's approvals list and overview hold B's approval and figures only; other roles get 403", async () => {
    for (const credential of tenantB) {
      for (const query of ['', '?status=pending', '?status=PENDING&limit=500', '?limit=500']) {
        const response = await api.call<{ approvals: { approvalId: string }[] }>('GET', `/v1/approvals${query}`, credential.auth);
        expectNothingOfA(`${credential.label} GET /v1/approvals${query}`, response.text);
        if (!APPROVERS.includes(credential.role)) {
          expect({ who: credential.label, status: response.status }).toEqual({ who: credential.label, status: 403 });
          continue;
        }
        expect({ who: credential.label, query, status: response.status, ids: response.body.approvals?.map((entry) => entry.approvalId) }).toEqual({ who: credential.label, query, status: 200, ids: [convB.approvalId] });
      }
      const overview = await api.call<{ totals: { conversations: number }; approvals: { pending: number } }>('GET', '/v1/overview?window=24h', credential.auth);
      expectNothingOfA(`${credential.label} GET /v1/overview`, overview.text);
      if (APPROVERS.includes(credential.role)) expect({ who: credential.label, status: overview.status, totals: overview.body.totals?.conversations, pending: overview.body.approvals?.pending }).toEqual({ who: credential.label, status: 200, totals: 2, pending: 1 });
      else expect({ who: credential.label, status: overview.status }).toEqual({ who: credential.label, status: 403 });
    }
  });

  it("B's dead letters are B's only, for every B admin credential; other roles get 403", async () => {
    for (const credential of tenantB) {
      for (const query of ['', `?topic=${requestsTopic}`, `?topic=${dlqTopic}&limit=10`]) {
        const response = await api.call<{ deadLetters: { key: string | null; tenantId: string | null }[] }>('GET', `/v1/admin/dead-letters${query}`, credential.auth);
        expectNothingOfA(`${credential.label} GET /v1/admin/dead-letters${query}`, response.text);
        if (credential.role !== 'admin') {
          expect({ who: credential.label, status: response.status }).toEqual({ who: credential.label, status: 403 });
          continue;
        }
        expect({ who: credential.label, query, status: response.status, letters: response.body.deadLetters?.map((entry) => [entry.key, entry.tenantId]) }).toEqual({ who: credential.label, query, status: 200, letters: [[`dlq-key-${convB.conversationId}`, B]] });
      }
    }
  });

  it("B's live approval queues show B's queue and B's new approval, never A's (snapshot and changes)", async () => {
    const live: { credential: Credential; sse: SseStream }[] = [];
    for (const credential of tenantB) {
      const sse = await stream('/v1/approvals/stream', credential);
      if (!APPROVERS.includes(credential.role)) {
        expect({ who: credential.label, status: sse.status }).toEqual({ who: credential.label, status: 403 });
        continue;
      }
      expect({ who: credential.label, status: sse.status }).toEqual({ who: credential.label, status: 200 });
      const [snapshot] = await sse.waitForMessages(1);
      expect({ who: credential.label, snapshot: ((snapshot?.data['approvals'] ?? []) as { approvalId: string }[]).map((entry) => entry.approvalId) }).toEqual({ who: credential.label, snapshot: [convB.approvalId] });
      live.push({ credential, sse });
    }
    expect(live).toHaveLength(8);
    // A's own queue, live too: the change that B's queues must not show is one a stream would show.
    const queueA = await stream('/v1/approvals/stream', adminA);
    expect(((await queueA.waitForMessages(1))[0]?.data['approvals'] as { approvalId: string }[]).map((entry) => entry.approvalId)).toEqual([convA.approvalId]);
    // A's new approval is projected first, B's after it: when B's has arrived, A's had its chance.
    const laterA = conversationOf(A, 'tenant-a-secret');
    const laterB = conversationOf(B, 'tenant-b-own');
    await gw.seed(laterA.events);
    await gw.seed(laterB.events);
    const changesOfA = await queueA.waitForMessages(2);
    expect(changesOfA[1]).toMatchObject({ event: 'requested', data: { approvalId: laterA.approvalId } });
    for (const { credential, sse } of live) {
      const messages = await sse.waitForMessages(2);
      expect({ who: credential.label, messages: messages.map((message) => [message.event, message.data['approvalId'] ?? null]) }).toEqual({
        who: credential.label,
        messages: [
          ['snapshot', null],
          ['requested', laterB.approvalId],
        ],
      });
      expectNothingOfA(`${credential.label} approval stream`, JSON.stringify(messages));
      expect(JSON.stringify(messages)).not.toContain(laterA.approvalId);
    }
  });
});
