import { createEventFactory, topicOf, type EventContext, type SupportEvent } from '@supportstream/events';
import { buildSupportGraph, readThread, runStartInput, terminalNodes, threadConfig, type NodeImplementations, type SupportGraph } from '@supportstream/graph';
import { createCheckpointer } from '@supportstream/pipeline';
import { SAMPLE_DATA, sampleContext, sampleEvent, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { codec, signToken, startTestGateway, type TestGateway } from './test/harness.js';

interface HistoryEntry {
  seq: string;
  eventId: string;
  type: string;
  topic: string;
  partition: number;
  offset: string;
  schema: { id: number; subject: string | null; version: number | null };
  producer: string;
  causationId: string | null;
  parentEventId: string | null;
  ancestorIds: string[];
  depth: number;
  data: Record<string, unknown>;
}
interface History {
  conversationId: string;
  source: string;
  events: HistoryEntry[];
  nextAfter: string | null;
}
interface Checkpoint {
  checkpointId: string;
  parentCheckpointId: string | null;
  step: number | null;
  kind: string;
  node: string | null;
  next: string[];
  requestId: string | null;
}
interface CheckpointList {
  conversationId: string;
  checkpoints: Checkpoint[];
  truncated: boolean;
}
interface CheckpointState extends Checkpoint {
  conversationId: string;
  values: { messages: { role: string; text: string }[]; triageDecision: unknown; draft: unknown; outcome: string | null; request: { customerId: string } | null };
}

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
const tenant = uniqueName('tenant-audit');
const otherTenant = uniqueName('tenant-audit-other');
const alice = uniqueName('alice');
const tokens: Record<string, string> = {};
const factory = createEventFactory({ producer: 'audit-test' });

// A conversation whose events cause one another: request → moderate → triage → approval, and
// a follow-up whose cause lies outside the conversation.
const context = sampleContext({ tenantId: tenant });
const caused = (cause: SupportEvent): EventContext => ({ ...context, causationId: cause.metadata.eventId });
const request = factory.create('RequestReceived', { ...SAMPLE_DATA.RequestReceived, customerId: alice }, context);
const moderate = factory.create('AgentStepCompleted', { ...SAMPLE_DATA.AgentStepCompleted, node: 'moderate' }, caused(request));
const triage = factory.create('AgentStepCompleted', { ...SAMPLE_DATA.AgentStepCompleted, node: 'triage' }, caused(moderate));
const approval = factory.create('ApprovalRequested', { ...SAMPLE_DATA.ApprovalRequested, approvalId: uniqueName('appr') }, caused(triage));
const followUp = factory.create('RequestReceived', { ...SAMPLE_DATA.RequestReceived, customerId: alice }, { ...context, causationId: 'an-event-of-another-conversation' });
// The effect is projected before its cause (they come from different topics): the tree still links them.
const history = [request, moderate, approval, triage, followUp] as SupportEvent[];

const EMAIL = 'jane.doe@example.com';
const CARD = '4242 4242 4242 4242';
const threadContext = sampleContext({ tenantId: tenant });

beforeAll(async () => {
  gw = await startTestGateway();
  api = apiClient(gw.baseUrl);
  const foreign = sampleContext({ tenantId: otherTenant });
  await gw.seed([...history, sampleEvent('RequestReceived', threadContext, { customerId: alice }), sampleEvent('RequestReceived', foreign)]);
  tokens['supervisor'] = await signToken({ sub: 'sup@example.test', tenant, role: 'supervisor' });
  tokens['admin'] = await signToken({ sub: 'admin@example.test', tenant, role: 'admin' });
  tokens['service'] = await signToken({ sub: 'svc', tenant, role: 'service' });
  tokens['alice'] = await signToken({ sub: alice, tenant, role: 'customer' });
  tokens['otherAdmin'] = await signToken({ sub: 'admin@other.test', tenant: otherTenant, role: 'admin' });
});

afterAll(async () => {
  await gw.close();
});

describe('GET /v1/conversations/:id/history', () => {
  it('lists every event with its place in the log, schema subject and version, producer and causation tree', async () => {
    const response = await api.call<History>('GET', `/v1/conversations/${context.conversationId}/history`, { token: tokens['supervisor'] });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ conversationId: context.conversationId, source: 'read-model', nextAfter: null });
    const entries = response.body.events;
    // Projection order: the order the harness projected them, one offset per topic.
    expect(entries.map((entry) => entry.eventId)).toEqual(history.map((event) => event.metadata.eventId));
    for (const [index, entry] of entries.entries()) {
      const event = history[index]!;
      const topic = topicOf(event.type);
      expect(entry).toMatchObject({ type: event.type, topic, partition: 0, producer: 'audit-test', causationId: event.metadata.causationId });
      expect(entry.offset).toMatch(/^\d+$/);
      expect(entry.schema).toEqual({ id: await codec.schemaIdOf(event.type), subject: `${topic}-io.supportstream.events.${event.type}`, version: expect.any(Number) as number });
      expect(entry.schema.version).toBeGreaterThanOrEqual(1);
    }
    const byId = new Map(entries.map((entry) => [entry.eventId, entry]));
    const ids = (event: SupportEvent) => event.metadata.eventId;
    expect(byId.get(ids(request))).toMatchObject({ parentEventId: null, ancestorIds: [], depth: 0 });
    expect(byId.get(ids(moderate))).toMatchObject({ parentEventId: ids(request), ancestorIds: [ids(request)], depth: 1 });
    expect(byId.get(ids(approval))).toMatchObject({ parentEventId: ids(triage), ancestorIds: [ids(request), ids(moderate), ids(triage)], depth: 3 });
    expect(byId.get(ids(followUp))).toMatchObject({ causationId: 'an-event-of-another-conversation', parentEventId: null, ancestorIds: [], depth: 0 });
  });

  it('pages with ?after= and ?limit=, the causation tree spanning pages', async () => {
    const path = `/v1/conversations/${context.conversationId}/history`;
    const first = await api.call<History>('GET', `${path}?limit=3`, { token: tokens['admin'] });
    expect(first.body.events).toHaveLength(3);
    const second = await api.call<History>('GET', `${path}?limit=3&after=${first.body.nextAfter ?? ''}`, { token: tokens['service'] });
    expect(second.body.events.map((entry) => entry.eventId)).toEqual([triage, followUp].map((event) => event.metadata.eventId));
    expect(second.body.events[0]).toMatchObject({ parentEventId: moderate.metadata.eventId, ancestorIds: [request.metadata.eventId, moderate.metadata.eventId], depth: 2 });
    expect(second.body.nextAfter).toBeNull();
  });

  it('is for staff of the tenant: a customer gets 403, another tenant or a missing conversation 404, bad paging 400', async () => {
    const path = `/v1/conversations/${context.conversationId}/history`;
    expect((await api.call('GET', path, { token: tokens['alice'] })).status).toBe(403);
    expect((await api.call('GET', path, { token: tokens['otherAdmin'] })).status).toBe(404);
    expect((await api.call('GET', `/v1/conversations/${uniqueName('conv-none')}/history`, { token: tokens['supervisor'] })).status).toBe(404);
    expect((await api.call('GET', path)).status).toBe(401);
    for (const query of ['?after=x', '?limit=0', '?limit=501', '?from=1']) expect({ query, status: (await api.call('GET', `${path}${query}`, { token: tokens['supervisor'] })).status }).toEqual({ query, status: 400 });
  });
});

/** Scripted nodes: the graph's checkpoints are under test, not the agents. */
const nodes: NodeImplementations = {
  moderate: () => Promise.resolve({ update: { moderation: { verdict: 'allow', categories: [], reason: '' } }, summary: 'moderated' }),
  triage: () =>
    Promise.resolve({
      update: {
        triageDecision: { category: 'account', priority: 'normal', sentiment: 'neutral', language: 'en', intent: 'question', confidence: 0.9, signals: [], refundAmount: null, orderId: null },
      },
      summary: 'question',
    }),
  research: () => Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Help', text: 'Answer.', score: 0.9 }] }, summary: 'found kb-1' }),
  solution: (state) => Promise.resolve({ update: { draft: { reply: `We will write to you: ${state.request?.message ?? ''}`, citations: ['kb-1'], confidence: 0.9 }, proposedActions: [] }, summary: 'drafted' }),
  quality: () => Promise.resolve({ update: { review: { score: 0.9, issues: [], verdict: 'pass' } }, summary: 'passed' }),
  ...terminalNodes({ approvalTtlMs: 3_600_000 }),
};

describe('time travel: GET /v1/conversations/:id/checkpoints[/:checkpointId]', () => {
  const base = `/v1/conversations/${threadContext.conversationId}/checkpoints`;
  let graph: SupportGraph;

  it('a conversation whose thread never started (no checkpoint tables even) has no checkpoints', async () => {
    const response = await api.call<CheckpointList>('GET', base, { token: tokens['supervisor'] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ conversationId: threadContext.conversationId, checkpoints: [], truncated: false });
    expect((await api.call('GET', `${base}/latest`, { token: tokens['supervisor'] })).status).toBe(404);
  });

  it('lists the thread’s checkpoints oldest first, each with its parent, the node that wrote it and its step', async () => {
    graph = buildSupportGraph({ nodes, checkpointer: await createCheckpointer(gw.db.pool, gw.db.schema) });
    const message = `Please reset my password, mail me at ${EMAIL}, my card is ${CARD}`;
    const receivedAt = new Date().toISOString();
    const info = { ...threadContext, customerId: alice, customerTier: 'STANDARD' as const, channel: 'WEB', subject: null, message, receivedEventId: uniqueName('evt'), receivedAt };
    await graph.invoke(runStartInput(`run-${threadContext.requestId}`, info, [], receivedAt), threadConfig(threadContext.conversationId));
    for (let step = 0; step < 20 && (await readThread(graph, threadContext.conversationId)).next.length > 0; step += 1) await graph.invoke(null, threadConfig(threadContext.conversationId));

    const response = await api.call<CheckpointList>('GET', base, { token: tokens['supervisor'] });
    expect(response.status).toBe(200);
    const rows = response.body.checkpoints;
    expect(response.body.truncated).toBe(false);
    // Invoked directly (LangGraph's default durability), a run writes its input checkpoint first;
    // the pipeline's exit durability does not (see the CLI's time-travel test).
    expect(rows[0]).toMatchObject({ kind: 'input', node: null, step: -1, parentCheckpointId: null, next: ['__start__'], requestId: null });
    expect(rows[1]).toMatchObject({ kind: 'runStart', node: null, step: 0, next: ['moderate'] });
    rows.slice(1).forEach((row, index) => expect(row.parentCheckpointId).toBe(rows[index]?.checkpointId));
    rows.slice(1).forEach((row, index) => expect(row.step).toBeGreaterThan(rows[index]?.step ?? Number.POSITIVE_INFINITY));
    expect(rows.slice(2).map((row) => [row.kind, row.node])).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'respond'].map((node) => ['step', node]));
    expect(rows.at(-1)?.next).toEqual([]);
    expect(rows.slice(1).every((row) => row.requestId === threadContext.requestId)).toBe(true);

    const newest = await api.call<CheckpointList>('GET', `${base}?limit=2`, { token: tokens['service'] });
    expect(newest.body.truncated).toBe(true);
    expect(newest.body.checkpoints.map((row) => row.checkpointId)).toEqual(rows.slice(-2).map((row) => row.checkpointId));
  });

  it('shows the state at a checkpoint as it was then (latest by default), with personal data masked', async () => {
    const rows = (await api.call<CheckpointList>('GET', base, { token: tokens['admin'] })).body.checkpoints;
    const afterTriage = rows.find((row) => row.node === 'triage');
    const older = await api.call<CheckpointState>('GET', `${base}/${afterTriage?.checkpointId ?? ''}`, { token: tokens['supervisor'] });
    expect(older.status).toBe(200);
    expect(older.body).toMatchObject({ conversationId: threadContext.conversationId, checkpointId: afterTriage?.checkpointId, kind: 'step', node: 'triage', values: { draft: null, outcome: null } });
    expect(older.body.values.triageDecision).not.toBeNull();

    const latest = await api.call<CheckpointState>('GET', `${base}/latest`, { token: tokens['service'] });
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ checkpointId: rows.at(-1)?.checkpointId, node: 'respond', next: [], values: { outcome: 'RESOLVED', request: { customerId: alice } } });
    expect(latest.body.values.messages.map((entry) => entry.role)).toEqual(['customer', 'agent']);
    for (const body of [older.text, latest.text]) {
      expect(body).not.toContain(EMAIL);
      expect(body).not.toContain(CARD);
      expect(body).toContain('[card ••••4242]');
    }
    // The checkpoint itself keeps what the customer wrote (the agents read it): the gateway masked it.
    expect(JSON.stringify((await readThread(graph, threadContext.conversationId)).values.messages)).toContain(EMAIL);
  });

  it('refuses customers (403), another tenant (404), unknown checkpoints (404)', async () => {
    const latest = `${base}/latest`;
    expect((await api.call('GET', base, { token: tokens['alice'] })).status).toBe(403);
    expect((await api.call('GET', latest, { token: tokens['alice'] })).status).toBe(403);
    expect((await api.call('GET', base, { token: tokens['otherAdmin'] })).status).toBe(404);
    expect((await api.call('GET', latest, { token: tokens['otherAdmin'] })).status).toBe(404);
    expect((await api.call('GET', `/v1/conversations/${uniqueName('conv-none')}/checkpoints`, { token: tokens['supervisor'] })).status).toBe(404);
    expect((await api.call('GET', `${base}/1f000000-0000-6000-8000-000000000000`, { token: tokens['supervisor'] })).status).toBe(404);
    expect((await api.call('GET', `${base}/${encodeURIComponent('not a checkpoint!')}`, { token: tokens['supervisor'] })).status).toBe(404);
    expect((await api.call('GET', `${base}?limit=0`, { token: tokens['supervisor'] })).status).toBe(400);
    expect((await api.call('GET', base)).status).toBe(401);
  });
});
