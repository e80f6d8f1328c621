import { sampleContext, sampleEvent, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { signToken, startTestGateway, type TestGateway } from './test/harness.js';
import { openStream, type SseStream } from './test/sse.js';

let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
const tenant = uniqueName('tenant-sse');
const alice = uniqueName('alice');
let aliceToken: string;
const opened: SseStream[] = [];

async function stream(conversationId: string, token: string, headers: Record<string, string> = {}, query = ''): Promise<SseStream> {
  const sse = await openStream(`${gw.baseUrl}/v1/conversations/${conversationId}/stream${query}`, { authorization: `Bearer ${token}`, ...headers });
  opened.push(sse);
  return sse;
}

const openStreamsMetric = async (): Promise<number> => Number(/^gateway_sse_streams_open (\d+)/m.exec(await (await fetch(`${gw.baseUrl}/metrics`)).text())?.[1] ?? NaN);

beforeAll(async () => {
  // Heartbeats are rare here (and never read): live events must come by NOTIFY.
  gw = await startTestGateway({ settings: { maxStreamsPerCredential: 2, heartbeatMs: 60_000 } });
  api = apiClient(gw.baseUrl);
  aliceToken = await signToken({ sub: alice, tenant, role: 'customer' });
});

afterAll(async () => {
  await Promise.all(opened.map((sse) => sse.close()));
  await gw.close();
});

describe('GET /v1/conversations/:id/stream', () => {
  it('sends the existing events, then live ones as they are projected; resumes after Last-Event-ID', async () => {
    const context = sampleContext({ tenantId: tenant });
    const request = sampleEvent('RequestReceived', context, { customerId: alice });
    const moderate = sampleEvent('AgentStepCompleted', context, { node: 'moderate' });
    await gw.seed([request, moderate]);

    const live = await stream(context.conversationId, aliceToken);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const first = await live.waitForMessages(2);
    expect(first.map((message) => [message.event, message.data['eventId']])).toEqual([
      ['RequestReceived', request.metadata.eventId],
      ['AgentStepCompleted', moderate.metadata.eventId],
    ]);

    const triage = sampleEvent('AgentStepCompleted', context, { node: 'triage' });
    await gw.seed([triage]);
    const after = await live.waitForMessages(3);
    expect(after[2]).toMatchObject({ event: 'AgentStepCompleted', data: { eventId: triage.metadata.eventId, data: expect.objectContaining({ node: 'triage' }) as unknown } });
    expect(after).toHaveLength(3);
    expect(live.comments).not.toContain(': heartbeat');

    await live.close();
    await waitFor(async () => (await openStreamsMetric()) === 0, { timeoutMs: 5_000, description: 'the stream to be released after the client left' });

    // Resume after a seq (what EventSource sends back) or after an event id.
    const bySeq = await stream(context.conversationId, aliceToken, { 'last-event-id': first[1]?.id ?? '' });
    expect((await bySeq.waitForMessages(1)).map((message) => message.data['eventId'])).toEqual([triage.metadata.eventId]);
    const byEventId = await stream(context.conversationId, aliceToken, {}, `?lastEventId=${request.metadata.eventId}`);
    expect((await byEventId.waitForMessages(2)).map((message) => message.data['eventId'])).toEqual([moderate.metadata.eventId, triage.metadata.eventId]);
    await Promise.all([bySeq.close(), byEventId.close()]);
    // Nothing more arrived on the resumed streams than what followed their position.
    expect(bySeq.messages).toHaveLength(1);
    expect(byEventId.messages).toHaveLength(2);
  });

  it('sends a heartbeat comment on idle streams', async () => {
    const beating = await startTestGateway({ settings: { heartbeatMs: 200 } });
    try {
      const context = sampleContext({ tenantId: tenant });
      await beating.seed([sampleEvent('RequestReceived', context, { customerId: alice })]);
      const sse = await openStream(`${beating.baseUrl}/v1/conversations/${context.conversationId}/stream`, { authorization: `Bearer ${aliceToken}` });
      await sse.waitForMessages(1);
      await waitFor(() => sse.comments.filter((line) => line === ': heartbeat').length >= 2, { timeoutMs: 5_000, description: 'two heartbeat comments' });
      expect(sse.messages).toHaveLength(1);
      await sse.close();
    } finally {
      await beating.close();
    }
  });

  it('refuses a foreign conversation (404), no credentials (401), an unknown Last-Event-ID (400)', async () => {
    const context = sampleContext({ tenantId: tenant });
    await gw.seed([sampleEvent('RequestReceived', context, { customerId: alice })]);
    const bob = await signToken({ sub: uniqueName('bob'), tenant, role: 'customer' });
    const otherTenant = await signToken({ sub: 'sup', tenant: uniqueName('tenant-x'), role: 'supervisor' });
    expect((await stream(context.conversationId, bob)).status).toBe(404);
    expect((await stream(context.conversationId, otherTenant)).status).toBe(404);
    expect((await openStream(`${gw.baseUrl}/v1/conversations/${context.conversationId}/stream`, {})).status).toBe(401);
    expect((await stream(context.conversationId, aliceToken, { 'last-event-id': 'no-such-event' })).status).toBe(400);
  });

  it('bounds the open streams per credential and frees a slot when a stream closes', async () => {
    // A customer of this test alone, so streams left open elsewhere do not count.
    const carol = uniqueName('carol');
    const context = sampleContext({ tenantId: tenant });
    await gw.seed([sampleEvent('RequestReceived', context, { customerId: carol })]);
    const token = await signToken({ sub: carol, tenant, role: 'customer' });
    const one = await stream(context.conversationId, token);
    const two = await stream(context.conversationId, token);
    expect([one.status, two.status]).toEqual([200, 200]);
    const three = await stream(context.conversationId, token);
    expect(three.status).toBe(429);
    expect(three.headers.get('retry-after')).toBe('5');
    // Another credential is not affected.
    const supervisor = await signToken({ sub: 'sup', tenant, role: 'supervisor' });
    expect((await stream(context.conversationId, supervisor)).status).toBe(200);

    await one.close();
    await waitFor(async () => (await stream(context.conversationId, token)).status === 200, { timeoutMs: 5_000, description: 'a freed stream slot' });
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/gateway_rate_limited_total\{kind="streams"\} [1-9]/);
    // The JSON routes still answer for the conversation while streams are open.
    expect((await api.call('GET', `/v1/conversations/${context.conversationId}`, { token })).status).toBe(200);
  });
});
