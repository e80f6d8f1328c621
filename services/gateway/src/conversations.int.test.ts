import type { SupportEvent } from '@supportstream/events';
import { sampleContext, sampleEvent, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { signToken, startTestGateway, type TestGateway } from './test/harness.js';

interface EventPage {
  events: { seq: string; eventId: string; type: string; summary: string; data: Record<string, unknown> }[];
  nextAfter: string | null;
}

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
const tenantA = uniqueName('tenant-a');
const tenantB = uniqueName('tenant-b');
const alice = uniqueName('alice');
const bob = uniqueName('bob');
const aliceConversation = sampleContext({ tenantId: tenantA });
const bobConversation = sampleContext({ tenantId: tenantA });
const otherTenantConversation = sampleContext({ tenantId: tenantB });
const cardConversation = sampleContext({ tenantId: tenantA });
const CARD = '4242 4242 4242 4242';
const EMAIL = `${alice}@example.com`;
const aliceEvents: SupportEvent[] = [
  sampleEvent('RequestReceived', aliceConversation, { customerId: alice, message: 'I was charged twice.' }),
  ...['moderate', 'triage', 'research', 'solution'].map((node, index) => sampleEvent('AgentStepCompleted', aliceConversation, { node, stepIndex: index + 1, summary: `${node} done` })),
];
const reviewedConversation = sampleContext({ tenantId: tenantA });
const reviewedEvents: SupportEvent[] = [
  sampleEvent('RequestReceived', reviewedConversation, { customerId: alice, message: 'Refund the duplicate charge please.', attributes: { crmSegment: 'at-risk' } }),
  sampleEvent('AgentStepCompleted', reviewedConversation, { node: 'research', stepIndex: 2, summary: 'found the duplicate in the billing system', output: '{"notes":"For agents: confirm two captured payments"}' }),
  sampleEvent('StepMetrics', reviewedConversation),
  sampleEvent('ApprovalRequested', reviewedConversation, { reason: 'refund above the automatic limit', proposedReply: 'We will refund 49.99 EUR.' }),
  sampleEvent('SupervisorAlert', reviewedConversation),
  sampleEvent('ApprovalDecided', reviewedConversation, { decision: 'APPROVED', decidedBy: 'sup-jane', comment: 'customer is at risk of churning' }),
  sampleEvent('ReplyReady', reviewedConversation, { customerId: alice, body: 'Your refund of 49.99 EUR is on its way.' }),
];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  gw = await startTestGateway();
  api = apiClient(gw.baseUrl);
  await gw.seed([
    ...aliceEvents,
    sampleEvent('RequestReceived', bobConversation, { customerId: bob }),
    sampleEvent('RequestReceived', otherTenantConversation, { customerId: alice }),
    sampleEvent('RequestReceived', cardConversation, { customerId: alice, message: `Charge card ${CARD} again and mail ${EMAIL}` }),
    ...reviewedEvents,
  ]);
  tokens['alice'] = await signToken({ sub: alice, tenant: tenantA, role: 'customer' });
  tokens['bob'] = await signToken({ sub: bob, tenant: tenantA, role: 'customer' });
  tokens['supervisorA'] = await signToken({ sub: 'sup-a', tenant: tenantA, role: 'supervisor' });
  tokens['serviceA'] = await signToken({ sub: 'svc-a', tenant: tenantA, role: 'service' });
  tokens['adminB'] = await signToken({ sub: 'admin-b', tenant: tenantB, role: 'admin' });
  tokens['aliceInB'] = await signToken({ sub: alice, tenant: tenantB, role: 'customer' });
});

afterAll(async () => {
  await gw.close();
});

describe('GET /v1/conversations/:id', () => {
  it('shows a conversation to its customer and to staff of its tenant', async () => {
    for (const who of ['alice', 'supervisorA', 'serviceA']) {
      const response = await api.call('GET', `/v1/conversations/${aliceConversation.conversationId}`, { token: tokens[who] });
      expect({ who, status: response.status }).toEqual({ who, status: 200 });
      expect(response.body).toMatchObject({ conversationId: aliceConversation.conversationId, tenantId: tenantA, customerId: alice, status: 'IN_PROGRESS', currentStep: 'solution', eventCount: 5, requestCount: 1 });
    }
  });

  it('answers 404 for another customer’s and another tenant’s conversation, as for a missing one', async () => {
    const refused: [string, string][] = [
      ['bob', aliceConversation.conversationId],
      ['alice', bobConversation.conversationId],
      ['adminB', aliceConversation.conversationId],
      ['aliceInB', aliceConversation.conversationId],
      ['supervisorA', otherTenantConversation.conversationId],
      ['supervisorA', uniqueName('conv-missing')],
      ['supervisorA', 'bad id with spaces'],
    ];
    const bodies = new Set<string>();
    for (const [who, id] of refused) {
      for (const suffix of ['', '/events']) {
        const response = await api.call<{ error: { code: string; message: string } }>('GET', `/v1/conversations/${encodeURIComponent(id)}${suffix}`, { token: tokens[who] });
        expect({ who, id, suffix, status: response.status }).toEqual({ who, id, suffix, status: 404 });
        bodies.add(`${response.body.error.code} ${response.body.error.message}`);
      }
    }
    // The same answer whatever the reason: nothing tells a foreign conversation from a missing one.
    expect([...bodies]).toEqual(['NOT_FOUND conversation not found']);
  });
});

describe('personal data by role', () => {
  it('no one gets card numbers or e-mail addresses back, the customer included: the read model keeps them masked', async () => {
    const routes = [`/v1/conversations/${cardConversation.conversationId}/events`, `/v1/conversations/${cardConversation.conversationId}`];
    for (const route of routes) {
      const own = await api.call('GET', route, { token: tokens['alice'] });
      expect(own.status).toBe(200);
      expect(JSON.stringify(own.body)).not.toContain(CARD);
      if (route.endsWith('/events')) expect(JSON.stringify(own.body)).toContain('Charge card [card ••••4242] again and mail [email]');
      for (const who of ['supervisorA', 'serviceA']) {
        const response = await api.call('GET', route, { token: tokens[who] });
        expect({ who, route, status: response.status }).toEqual({ who, route, status: 200 });
        const body = JSON.stringify(response.body);
        expect(body, `${who} ${route}`).not.toContain(CARD);
        expect(body, `${who} ${route}`).not.toContain(EMAIL);
        if (route.endsWith('/events')) expect(body).toContain('[card ••••4242]');
      }
    }
  });
});

describe('GET /v1/conversations/:id/events', () => {
  it('pages through the events in order with ?after= and ?limit=', async () => {
    const path = `/v1/conversations/${aliceConversation.conversationId}/events`;
    const all = await api.call<EventPage>('GET', path, { token: tokens['alice'] });
    expect(all.status).toBe(200);
    expect(all.body.events.map((event) => event.eventId)).toEqual(aliceEvents.map((event) => event.metadata.eventId));
    expect(all.body.events[0]).toMatchObject({ type: 'RequestReceived', data: { customerId: alice, message: 'I was charged twice.' } });
    expect(all.body.nextAfter).toBeNull();

    const pages: EventPage[] = [];
    let after: string | null = null;
    do {
      const query: string = after === null ? '?limit=2' : `?limit=2&after=${after}`;
      const page: EventPage = (await api.call<EventPage>('GET', `${path}${query}`, { token: tokens['supervisorA'] })).body;
      pages.push(page);
      after = page.nextAfter;
    } while (after !== null && pages.length < 10);
    expect(pages.map((page) => page.events.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((page) => page.events.map((event) => event.eventId))).toEqual(aliceEvents.map((event) => event.metadata.eventId));
    const seqs = pages.flatMap((page) => page.events.map((event) => BigInt(event.seq)));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);

    const last = all.body.events.at(-1)?.seq ?? '';
    expect((await api.call<EventPage>('GET', `${path}?after=${last}`, { token: tokens['alice'] })).body).toEqual({ events: [], nextAfter: null });
  });

  it('a customer reads what they wrote, the steps, the review and its decision, and the reply; never the agents’ reasoning, the review’s details, alerts or metrics', async () => {
    const path = `/v1/conversations/${reviewedConversation.conversationId}/events`;
    const staff = await api.call<EventPage>('GET', path, { token: tokens['supervisorA'] });
    expect(staff.body.events.map((event) => event.type)).toEqual(reviewedEvents.map((event) => event.type));
    expect(staff.body.events.find((event) => event.type === 'ApprovalDecided')?.data).toMatchObject({ decidedBy: 'sup-jane', comment: 'customer is at risk of churning' });

    const pages = [await api.call<EventPage>('GET', path, { token: tokens['alice'] }), await api.call<EventPage>('GET', `${path}?limit=2`, { token: tokens['alice'] })];
    for (const { body } of pages) expect(body.events.every((event) => !['StepMetrics', 'SupervisorAlert'].includes(event.type))).toBe(true);
    const mine = pages[0]?.body.events ?? [];
    expect(mine.map((event) => [event.type, Object.keys(event.data).sort()])).toEqual([
      ['RequestReceived', ['channel', 'customerId', 'locale', 'message', 'subject']],
      ['AgentStepCompleted', ['next', 'node', 'runId', 'stepIndex']],
      ['ApprovalRequested', ['approvalId', 'expiresAt', 'runId']],
      ['ApprovalDecided', ['approvalId', 'decision']],
      ['ReplyReady', ['body', 'channel', 'citations', 'customerId', 'replyId', 'runId']],
    ]);
    expect(mine.map((event) => event.summary)).toEqual(['Refund the duplicate charge please.', 'research done', 'a supervisor reviews the request', 'the supervisor approved the request', 'reply: Your refund of 49.99 EUR is on its way.']);
    const text = JSON.stringify(mine);
    for (const secret of ['billing system', 'For agents', 'automatic limit', 'We will refund', 'sup-jane', 'churning', 'at-risk']) expect(text).not.toContain(secret);

    // The live stream shows the same.
    const controller = new AbortController();
    const response = await fetch(`${gw.baseUrl}/v1/conversations/${reviewedConversation.conversationId}/stream`, { headers: { authorization: `Bearer ${tokens['alice'] ?? ''}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let streamed = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (!streamed.includes('on its way') && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      streamed += decoder.decode(chunk.value, { stream: true });
    }
    controller.abort();
    const frames = streamed.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as { type: string });
    expect(frames.map((frame) => frame.type)).toEqual(mine.map((event) => event.type));
    for (const secret of ['billing system', 'sup-jane', 'churning']) expect(streamed).not.toContain(secret);
  });

  it('refuses bad paging parameters with 400', async () => {
    const path = `/v1/conversations/${aliceConversation.conversationId}/events`;
    for (const query of ['?after=abc', '?after=-1', '?limit=0', '?limit=501', '?limit=two', '?after=1&after=2', '?sort=desc']) {
      const response = await api.call<{ error: { code: string } }>('GET', `${path}${query}`, { token: tokens['alice'] });
      expect({ query, status: response.status, code: response.body.error.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
  });
});
