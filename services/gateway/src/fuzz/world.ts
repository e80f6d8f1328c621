import { loadMigrations } from '@supportstream/db';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { InvalidInputError } from '@supportstream/errors';
import { topicOf, type SupportEvent } from '@supportstream/events';
import { buildSupportGraph, readThread, runStartInput, terminalNodes, threadConfig, type NodeImplementations } from '@supportstream/graph';
import {
  createDeadLetterConsole,
  createDeadLetterProducer,
  createEventProducer,
  createOffsetsReader,
  HEADER,
  postgresReplayLedger,
  readRawToEnd,
  type DeadLetterConsole,
  type DeadLetterProducer,
  type EventProducer,
  type OffsetsReader,
} from '@supportstream/kafka';
import { createMetricsRegistry } from '@supportstream/observability';
import { createCheckpointer } from '@supportstream/pipeline';
import { createTopics, deleteTopics, sampleContext, sampleEvent, testLogger, uniqueName } from '@supportstream/testing';
import { createOperationsSource } from '../overview/operations.js';
import { codec, kafka, signToken, startTestGateway, type TestGateway } from '../test/harness.js';
import type { Credential, FuzzWorld } from './requestCases.js';

/**
 * The gateway the fuzzer runs against, with everything the harness can wire (dead letters, the
 * Overview with Kafka figures, checkpoints), seeded with two tenants' conversations, approvals,
 * events, analytics rows, dead letters and a graph thread, and the credentials the cases use:
 * every role of both tenants as JWTs and API keys (with a rate limit that lets the run through),
 * a throttled key, console sessions, none and garbage.
 */

export interface FuzzSetup {
  readonly gw: TestGateway;
  readonly world: FuzzWorld;
  close(): Promise<void>;
}

/** Far more than a run sends in a minute: the rate limit must not eat the run. */
const FUZZ_RATE = 1_000_000;
const BODY_LIMIT = '64kb';

/** Scripted nodes: a thread with real checkpoints, the agents are not under test. */
const nodes: NodeImplementations = {
  moderate: () => Promise.resolve({ update: { moderation: { verdict: 'allow', categories: [], reason: '' } }, summary: 'moderated' }),
  triage: () =>
    Promise.resolve({
      update: { triageDecision: { category: 'account', priority: 'normal', sentiment: 'neutral', language: 'en', intent: 'question', confidence: 0.9, signals: [], refundAmount: null, orderId: null } },
      summary: 'question',
    }),
  research: () => Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Help', text: 'Answer.', score: 0.9 }] }, summary: 'found kb-1' }),
  solution: () => Promise.resolve({ update: { draft: { reply: 'We will write to you at jane.doe@example.com.', citations: ['kb-1'], confidence: 0.9 }, proposedActions: [] }, summary: 'drafted' }),
  quality: () => Promise.resolve({ update: { review: { score: 0.9, issues: [], verdict: 'pass' } }, summary: 'passed' }),
  ...terminalNodes({ approvalTtlMs: 3_600_000 }),
};

interface Tenant {
  readonly id: string;
  readonly conversations: string[];
  readonly events: SupportEvent[];
  readonly pendingApprovals: string[];
  readonly closedApprovals: string[];
}

/** A tenant's read model: conversations of two customers with a few events each, approvals pending and decided. */
function tenantData(tenantId: string, customers: readonly string[], conversationsPerCustomer: number, pending: number): Tenant {
  const tenant: Tenant = { id: tenantId, conversations: [], events: [], pendingApprovals: [], closedApprovals: [] };
  for (const customerId of customers) {
    for (let index = 0; index < conversationsPerCustomer; index += 1) {
      const context = sampleContext({ tenantId });
      tenant.conversations.push(context.conversationId);
      const caused = (cause: SupportEvent) => ({ ...context, causationId: cause.metadata.eventId });
      const request = sampleEvent('RequestReceived', context, { customerId, message: `Order #${index}: I was charged twice, card 4242 4242 4242 4242, mail ${customerId}@example.com` });
      const step = sampleEvent('AgentStepCompleted', caused(request), { node: 'triage' });
      tenant.events.push(request, step);
      if (index % 3 === 0) {
        const approvalId = uniqueName('appr');
        tenant.events.push(sampleEvent('ApprovalRequested', caused(step), { approvalId }));
        tenant.pendingApprovals.push(approvalId);
      } else if (index % 3 === 1) {
        const approvalId = uniqueName('appr-closed');
        const requested = sampleEvent('ApprovalRequested', caused(step), { approvalId });
        tenant.events.push(requested, sampleEvent('ApprovalDecided', caused(requested), { approvalId, decision: 'APPROVED', editedReply: null }));
        tenant.closedApprovals.push(approvalId);
      } else {
        const done = sampleEvent('RunCompleted', caused(step));
        tenant.events.push(done, sampleEvent('ReplyReady', caused(done), { customerId }), sampleEvent('RequestOutcome', caused(done)), sampleEvent('LlmUsage', caused(step)));
      }
    }
  }
  // More pending approvals than a run decides, so decisions keep finding some.
  for (let index = 0; index < pending; index += 1) {
    const context = sampleContext({ tenantId });
    const approvalId = uniqueName('appr-queue');
    tenant.events.push(sampleEvent('RequestReceived', context, { customerId: customers[0] ?? 'c' }), sampleEvent('ApprovalRequested', context, { approvalId }));
    tenant.conversations.push(context.conversationId);
    tenant.pendingApprovals.push(approvalId);
  }
  return tenant;
}

async function analyticsRows(gw: TestGateway, tenantId: string): Promise<void> {
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
  await gw.db.pool.query('INSERT INTO analytics_minutes (tenant_id, minute, conversations, resolved, escalated, handling_ms) VALUES ($1, $2, 4, 3, 1, 12000)', [tenantId, minute]);
  await gw.db.pool.query('INSERT INTO analytics_minute_costs (tenant_id, minute, currency, conversations, cost_micros, llm_cost_micros) VALUES ($1, $2, $3, 4, 1234567, 1000000)', [tenantId, minute, 'EUR']);
}

/** A thread run to its end through the real checkpointer: its checkpoints for time travel. */
async function graphThread(gw: TestGateway, thread: { tenantId: string; conversationId: string; customerId: string }): Promise<void> {
  const { tenantId, conversationId, customerId } = thread;
  const graph = buildSupportGraph({ nodes, checkpointer: await createCheckpointer(gw.db.pool, gw.db.schema) });
  const receivedAt = new Date().toISOString();
  const info = { conversationId, requestId: uniqueName('req'), tenantId, correlationId: uniqueName('corr'), causationId: null, customerId, customerTier: 'STANDARD' as const, channel: 'WEB', subject: null, message: 'Reset my password please', receivedEventId: uniqueName('evt'), receivedAt };
  await graph.invoke(runStartInput(`run-${info.requestId}`, info, [], receivedAt), threadConfig(conversationId));
  for (let step = 0; step < 20 && (await readThread(graph, conversationId)).next.length > 0; step += 1) await graph.invoke(null, threadConfig(conversationId));
}

async function get<T>(baseUrl: string, path: string, token: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`setup: GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function openSession(baseUrl: string, body: Record<string, string>): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (response.status !== 201 || cookie === undefined) throw new Error(`setup: sign-in answered ${response.status}`);
  return cookie;
}

export async function startFuzzSetup(): Promise<FuzzSetup> {
  const logger = testLogger();
  const prefix = uniqueName('gw-fuzz');
  const requestsTopic = `${prefix}.customer.requests`;
  const decisionsTopic = `${prefix}.human.approvals`;
  const analyticsTopic = `${prefix}.system.analytics`;
  const dlqTopic = `${requestsTopic}.dlq`;
  await createTopics(kafka, [requestsTopic, decisionsTopic], 1);
  await createTopics(kafka, [analyticsTopic], 1, false);

  const resources: { ledger?: ScratchSchema; events?: EventProducer; letters?: DeadLetterProducer; deadLetters?: DeadLetterConsole; reader?: OffsetsReader; gw?: TestGateway } = {};
  const close = async () => {
    await resources.gw?.close();
    await resources.deadLetters?.close();
    await resources.letters?.disconnect();
    await resources.events?.disconnect();
    await resources.reader?.close();
    await resources.ledger?.drop();
    await deleteTopics(kafka, [requestsTopic, decisionsTopic, analyticsTopic]);
  };
  try {
    const a = tenantData(uniqueName('tenant-fuzz-a'), [uniqueName('alice'), uniqueName('bob')], 6, 40);
    const b = tenantData(uniqueName('tenant-fuzz-b'), [uniqueName('carol')], 4, 3);
    const [alice = '', bob = ''] = [...new Set(a.events.filter((event) => event.type === 'RequestReceived').map((event) => (event).data.customerId))];

    // Dead letters of tenant A (and one that does not decode) on the test's own dead-letter topic.
    const ledger = await createScratchSchema('gateway_fuzz_dlq');
    resources.ledger = ledger;
    const migration = (await loadMigrations()).find((candidate) => candidate.name === 'dead_letters');
    if (migration === undefined) throw new Error('migration dead_letters is missing');
    await ledger.pool.query(migration.sql);
    const events = createEventProducer({ kafka, codec, logger, metrics: createMetricsRegistry({}, false), topicFor: (event) => `${prefix}.${topicOf(event.type)}` });
    resources.events = events;
    await events.connect();
    const letters = createDeadLetterProducer(kafka);
    resources.letters = letters;
    await letters.connect();
    const poisoned = [...a.events.filter((event) => event.type === 'RequestReceived').slice(0, 6), ...b.events.filter((event) => event.type === 'RequestReceived').slice(0, 2)];
    for (const [offset, event] of poisoned.entries()) {
      await letters.send(dlqTopic, {
        topic: requestsTopic,
        partition: 0,
        message: { key: Buffer.from(event.metadata.conversationId), value: await codec.encode(event), offset: String(offset), timestamp: String(Date.now()), headers: { [HEADER.eventType]: event.type } },
        group: 'supportstream-triage',
        error: new InvalidInputError('CRM_REFUSED', 'the CRM refused jane.doe@example.com'),
        attempts: 2,
        failedAt: new Date(),
      });
    }
    const dlqOffsets = (await readRawToEnd(kafka, [dlqTopic])).map((raw) => raw.offset);
    const deadLetters = createDeadLetterConsole({ kafka, codec, ledger: postgresReplayLedger({ pool: ledger.pool }), events, topics: [requestsTopic, analyticsTopic], logger, producerName: 'gateway' });
    resources.deadLetters = deadLetters;
    const reader = createOffsetsReader(kafka);
    resources.reader = reader;
    const operations = createOperationsSource({ reader, topics: [requestsTopic], groups: (name) => name === `${prefix}-group`, logger });

    const gw = await startTestGateway({
      settings: { rateLimitPerMinute: FUZZ_RATE, bodyLimit: BODY_LIMIT, sessionTtlSeconds: 600 },
      requestsTopic,
      decisionsTopic,
      deadLetters,
      overview: { operations },
    });
    resources.gw = gw;
    await gw.seed([...a.events, ...b.events]);
    await analyticsRows(gw, a.id);
    const threadConversation = a.conversations[0] ?? '';
    await graphThread(gw, { tenantId: a.id, conversationId: threadConversation, customerId: alice });

    const jwt = (sub: string, tenant: string, role: string, options: Parameters<typeof signToken>[1] = {}) => signToken({ sub, tenant, role }, { expiresIn: 3_600, ...options });
    const tokens = {
      aliceA: await jwt(alice, a.id, 'customer'),
      bobA: await jwt(bob, a.id, 'customer'),
      serviceA: await jwt('svc-a', a.id, 'service'),
      supervisorA: await jwt('sup-a@example.test', a.id, 'supervisor'),
      adminA: await jwt('admin-a@example.test', a.id, 'admin'),
      customerB: await jwt('carol', b.id, 'customer'),
      supervisorB: await jwt('sup-b@example.test', b.id, 'supervisor'),
      adminB: await jwt('admin-b@example.test', b.id, 'admin'),
      expired: await jwt('sup-a@example.test', a.id, 'supervisor', { expiresIn: -600 }),
      wrongAudience: await jwt('sup-a@example.test', a.id, 'supervisor', { audience: 'another-service' }),
      wrongKey: await jwt('sup-a@example.test', a.id, 'supervisor', { key: new TextEncoder().encode('another-secret-of-at-least-32-characters!!') }),
      unknownRole: await jwt('who', a.id, 'superuser'),
      noExpiry: await jwt('sup-a@example.test', a.id, 'supervisor', { omitExp: true }),
    };
    const keys = {
      serviceA: await gw.insertApiKey({ tenant: a.id, role: 'service', rate: FUZZ_RATE }),
      supervisorA: await gw.insertApiKey({ tenant: a.id, role: 'supervisor', rate: FUZZ_RATE }),
      adminA: await gw.insertApiKey({ tenant: a.id, role: 'admin', rate: FUZZ_RATE }),
      adminB: await gw.insertApiKey({ tenant: b.id, role: 'admin', rate: FUZZ_RATE }),
      // Mostly 429: the limiter's answers are checked too.
      throttled: await gw.insertApiKey({ tenant: a.id, role: 'supervisor', rate: 5 }),
      revoked: await gw.insertApiKey({ tenant: a.id, role: 'admin', rate: FUZZ_RATE }),
    };
    await gw.revokeApiKey(keys.revoked.keyId);
    // Two console sessions: one sends no CSRF header (so it can never sign itself out), one does.
    const cookie = await openSession(gw.baseUrl, { token: tokens.supervisorA });
    const cookieCsrf = await openSession(gw.baseUrl, { apiKey: keys.adminA.key });

    const bearer = (token: string, weight: number): Credential => ({ headers: { Authorization: `Bearer ${token}` }, weight });
    const apiKey = (key: string, weight: number): Credential => ({ headers: { 'X-Api-Key': key }, weight });
    const credentials: Record<string, Credential> = {
      customerAlice: bearer(tokens.aliceA, 24),
      customerBob: bearer(tokens.bobA, 9),
      serviceJwtA: bearer(tokens.serviceA, 18),
      supervisorJwtA: bearer(tokens.supervisorA, 24),
      adminJwtA: bearer(tokens.adminA, 24),
      customerB: bearer(tokens.customerB, 6),
      supervisorJwtB: bearer(tokens.supervisorB, 9),
      adminJwtB: bearer(tokens.adminB, 9),
      serviceKeyA: apiKey(keys.serviceA.key, 12),
      supervisorKeyA: apiKey(keys.supervisorA.key, 12),
      adminKeyA: apiKey(keys.adminA.key, 18),
      adminKeyAAsBearer: bearer(keys.adminA.key, 6),
      adminKeyB: apiKey(keys.adminB.key, 9),
      throttledKey: apiKey(keys.throttled.key, 4),
      sessionCookie: { headers: { Cookie: cookie }, weight: 6 },
      sessionCookieCsrf: { headers: { Cookie: cookieCsrf, 'X-SupportStream-CSRF': '1' }, weight: 4 },
      none: { headers: {}, weight: 5 },
      garbageBearer: bearer('garbage', 1),
      basicAuth: { headers: { Authorization: 'Basic dXNlcjpwYXNz' }, weight: 1 },
      emptyBearer: { headers: { Authorization: 'Bearer ' }, weight: 1 },
      malformedKey: apiKey('sk_nope', 1),
      unknownKey: apiKey(`sk_0123456789abcdef_${'A'.repeat(43)}`, 1),
      revokedKey: apiKey(keys.revoked.key, 1),
      expiredJwt: bearer(tokens.expired, 1),
      wrongAudienceJwt: bearer(tokens.wrongAudience, 1),
      wrongKeyJwt: bearer(tokens.wrongKey, 1),
      unsignedJwt: bearer(`${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', tenant_id: a.id, role: 'admin' })).toString('base64url')}.`, 1),
      unknownRoleJwt: bearer(tokens.unknownRole, 1),
      noExpiryJwt: bearer(tokens.noExpiry, 1),
      staleCookie: { headers: { Cookie: 'supportstream_session=stale-session-token' }, weight: 1 },
    };

    // Known values, so that reads hit rows: ids of both tenants, cursors, seqs, event ids, checkpoints, dead letters.
    const firstPage = await get<{ nextAfter: string | null }>(gw.baseUrl, '/v1/conversations?limit=2', tokens.supervisorA);
    const secondPage = firstPage.nextAfter === null ? { nextAfter: null } : await get<{ nextAfter: string | null }>(gw.baseUrl, `/v1/conversations?limit=3&after=${firstPage.nextAfter}`, tokens.supervisorA);
    const checkpoints = await get<{ checkpoints: { checkpointId: string }[] }>(gw.baseUrl, `/v1/conversations/${threadConversation}/checkpoints`, tokens.supervisorA);
    const conversations = [...a.conversations.slice(0, 12), ...b.conversations.slice(0, 3)];
    const eventIds = a.events.filter((event) => event.metadata.conversationId === threadConversation || event.metadata.conversationId === a.conversations[1]).map((event) => event.metadata.eventId);
    // Edges of what the schemas accept, where a column's range ends before the pattern's does.
    const seqs = ['0', '1', '2', '3', '5', '8', '9223372036854775807', '9223372036854775808', '9999999999999999999', '0000000000000000000'];
    const times = ['0000-01-01', '0001-01-01T00:30+01:00', '9999-12-31T23:59:59.999999-23:59', '1970-01-01T00:00:00Z', '2026-02-31', new Date().toISOString().slice(0, 19) + 'Z'];
    const pools: Record<string, readonly string[]> = {
      'path.id': conversations,
      'decideApproval.path.id': [...a.pendingApprovals, ...a.pendingApprovals, ...a.closedApprovals, ...b.pendingApprovals],
      'listCheckpoints.path.id': [threadConversation, threadConversation, ...conversations.slice(1, 3)],
      'getCheckpoint.path.id': [threadConversation, threadConversation, threadConversation, ...conversations.slice(1, 3)],
      'getCheckpoint.path.checkpointId': ['latest', ...checkpoints.checkpoints.map((checkpoint) => checkpoint.checkpointId)],
      'query.after': seqs,
      'listConversations.query.after': [firstPage.nextAfter, secondPage.nextAfter].filter((cursor): cursor is string => cursor !== null),
      'listConversations.query.customerId': [alice, bob, 'carol'],
      'listConversations.query.from': times,
      'listConversations.query.to': times,
      'streamConversation.query.lastEventId': [...seqs, ...eventIds],
      'streamConversation.header.Last-Event-ID': [...seqs, ...eventIds],
      'listDeadLetters.query.topic': [requestsTopic, dlqTopic, analyticsTopic],
      'replayDeadLetter.path.topic': [dlqTopic],
      'replayDeadLetter.path.offset': [...dlqOffsets, ...dlqOffsets, '9223372036854775807', '9223372036854775808'],
      'replayDeadLetter.path.partition': ['0', '0', '0', '1000000'],
      'submitRequest.body.customerId': [alice, bob],
      'submitRequest.body.conversationId': a.conversations.slice(0, 8),
      'createSession.body.token': [tokens.supervisorA, tokens.adminA, tokens.serviceA, tokens.aliceA, tokens.expired],
      'createSession.body.apiKey': [keys.adminA.key, keys.supervisorA.key, keys.revoked.key],
    };
    const world: FuzzWorld = {
      credentials,
      pools,
      strictHeaders: new Set(['Idempotency-Key']),
      // Operations that reach Kafka or return big documents on every call weigh less.
      weights: { ready: 2, metrics: 2, openApiDocument: 2, health: 3, listDeadLetters: 5 },
      hugeBodyBytes: 70 * 1024,
    };
    return { gw, world, close };
  } catch (error) {
    await close();
    throw error;
  }
}
