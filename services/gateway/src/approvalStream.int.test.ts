import { topicOf, type SupportEvent } from '@supportstream/events';
import { createProjector } from '@supportstream/projections';
import { sampleContext, sampleEvent, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueVersion } from './routes/approvalStream.js';
import { codec, signToken, startTestGateway, type TestGateway } from './test/harness.js';
import { openStream, type SseMessage, type SseStream } from './test/sse.js';

interface Approval {
  approvalId: string;
  status: string;
  tenantId: string;
  decidedBy: string | null;
  proposedReply: string | null;
}

let gw: TestGateway;
const tenant = uniqueName('tenant-queue');
const otherTenant = uniqueName('tenant-queue-other');
const tokens: Record<string, string> = {};
const opened: SseStream[] = [];
const EMAIL = 'jane.doe@example.com';

async function stream(token: string | undefined, headers: Record<string, string> = {}, query = '', on: TestGateway = gw): Promise<SseStream> {
  const sse = await openStream(`${on.baseUrl}/v1/approvals/stream${query}`, { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers });
  opened.push(sse);
  return sse;
}

/** An approval request in a conversation of its own (a real one starts with the customer's request). */
function requestApproval(tenantId = tenant, data: Record<string, unknown> = {}): { requested: SupportEvent; events: SupportEvent[] } {
  const context = sampleContext({ tenantId });
  const requested = sampleEvent('ApprovalRequested', context, { approvalId: uniqueName('appr'), ...data });
  return { requested, events: [sampleEvent('RequestReceived', context), requested] };
}

const approvalIdOf = (event: SupportEvent): string => (event.data as { approvalId: string }).approvalId;
const contextOf = (event: SupportEvent) => ({ ...event.metadata, causationId: event.metadata.eventId });
const summary = (messages: readonly SseMessage[]) => messages.map((message) => [message.event, message.event === 'snapshot' ? (message.data['approvals'] as Approval[]).map((approval) => approval.approvalId) : (message.data as unknown as Approval).approvalId]);

let first: ReturnType<typeof requestApproval>;
let closedOne: ReturnType<typeof requestApproval>;

beforeAll(async () => {
  // Heartbeats (which also re-read the queue) are rare here: changes must come by NOTIFY.
  gw = await startTestGateway({ settings: { maxStreamsPerCredential: 2, heartbeatMs: 60_000 } });
  first = requestApproval(tenant, { proposedReply: `We will write to ${EMAIL}.` });
  closedOne = requestApproval();
  await gw.seed([
    ...first.events,
    ...closedOne.events,
    sampleEvent('ApprovalExpired', contextOf(closedOne.requested), { approvalId: approvalIdOf(closedOne.requested), expiredAt: new Date() }),
    ...requestApproval(otherTenant).events,
  ]);
  tokens['supervisor'] = await signToken({ sub: 'sup@example.test', tenant, role: 'supervisor' });
  tokens['admin'] = await signToken({ sub: 'admin@example.test', tenant, role: 'admin' });
  tokens['customer'] = await signToken({ sub: 'cust-1', tenant, role: 'customer' });
  tokens['service'] = await signToken({ sub: 'svc', tenant, role: 'service' });
});

afterAll(async () => {
  await Promise.all(opened.map((sse) => sse.close()));
  await gw.close();
});

describe('GET /v1/approvals/stream', () => {
  it("sends the tenant's pending queue, then each new, decided and expired approval as it is projected", async () => {
    const live = await stream(tokens['supervisor']);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const [snapshot] = await live.waitForMessages(1);
    expect(snapshot?.event).toBe('snapshot');
    expect(snapshot?.data).toMatchObject({ truncated: false, approvals: [{ approvalId: approvalIdOf(first.requested), status: 'PENDING', tenantId: tenant }] });
    // Staff get personal data masked, as in GET /v1/approvals.
    expect(JSON.stringify(snapshot?.data)).not.toContain(EMAIL);

    const second = requestApproval();
    await gw.seed(second.events);
    await live.waitForMessages(2);
    // A step of a conversation with an approval, and another tenant's approval, change nothing in this queue.
    await gw.seed([sampleEvent('AgentStepCompleted', contextOf(first.requested), { node: 'escalate' }), ...requestApproval(otherTenant).events]);
    const decided = sampleEvent('ApprovalDecided', contextOf(first.requested), { approvalId: approvalIdOf(first.requested), decision: 'APPROVED', decidedBy: 'sup@example.test', comment: null, editedReply: null });
    await gw.seed([decided]);
    await live.waitForMessages(3);
    await gw.seed([sampleEvent('ApprovalExpired', contextOf(second.requested), { approvalId: approvalIdOf(second.requested), expiredAt: new Date() })]);
    const messages = await live.waitForMessages(4);
    expect(summary(messages)).toEqual([
      ['snapshot', [approvalIdOf(first.requested)]],
      ['requested', approvalIdOf(second.requested)],
      ['decided', approvalIdOf(first.requested)],
      ['expired', approvalIdOf(second.requested)],
    ]);
    expect(messages[2]?.data).toMatchObject({ status: 'APPROVED', decidedBy: 'sup@example.test' });
    expect(messages[3]?.data).toMatchObject({ status: 'EXPIRED' });
    // Each id is the version of the queue after the message: [first], [first, second], [second], [].
    expect(messages.map((message) => message.id)).toEqual([
      queueVersion([approvalIdOf(first.requested)]),
      queueVersion([approvalIdOf(second.requested), approvalIdOf(first.requested)]),
      queueVersion([approvalIdOf(second.requested)]),
      queueVersion([]),
    ]);
    expect(live.comments).not.toContain(': heartbeat');
    await live.close();
  });

  it('resumes without a snapshot when Last-Event-ID is the current queue version; any other id gets a fresh snapshot', async () => {
    const live = await stream(tokens['admin']);
    const [snapshot] = await live.waitForMessages(1);
    const version = snapshot?.id ?? '';
    await live.close();

    const resumed = await stream(tokens['admin'], { 'last-event-id': version });
    await waitFor(() => resumed.comments.includes(': resumed'), { timeoutMs: 5_000, description: 'the resumed comment' });
    const third = requestApproval();
    await gw.seed(third.events);
    const [change] = await resumed.waitForMessages(1);
    expect(summary([change!])).toEqual([['requested', approvalIdOf(third.requested)]]);
    await resumed.close();

    // The queue changed since `version`: a client holding it must start over.
    const stale = await stream(tokens['admin'], {}, `?lastEventId=${encodeURIComponent(version)}`);
    const [fresh] = await stale.waitForMessages(1);
    expect(fresh?.event).toBe('snapshot');
    expect((fresh?.data['approvals'] as Approval[]).map((approval) => approval.approvalId)).toContain(approvalIdOf(third.requested));
    expect(fresh?.id).toBe(change?.id);
    await stale.close();
    const unknown = await stream(tokens['admin'], { 'last-event-id': 'whatever-it-was' });
    expect((await unknown.waitForMessages(1))[0]?.event).toBe('snapshot');
    await unknown.close();
  });

  it('catches a change whose notification was lost at the next heartbeat', async () => {
    const beating = await startTestGateway({ settings: { heartbeatMs: 300 } });
    try {
      const sse = await stream(tokens['supervisor'], {}, '', beating);
      expect((await sse.waitForMessages(1))[0]).toMatchObject({ event: 'snapshot', data: { approvals: [] } });
      // Projected by a projector that sends no NOTIFY (on a partition of its own, so its offsets are its own).
      const silent = createProjector({ pool: beating.db.pool, schema: beating.db.schema });
      const lost = requestApproval();
      for (const [offset, event] of lost.events.entries()) {
        const topic = topicOf(event.type);
        await silent.apply({ topic, partition: 9, records: [{ event, topic, partition: 9, offset: String(offset), schemaId: await codec.schemaIdOf(event.type) }], lastOffset: String(offset) });
      }
      const messages = await sse.waitForMessages(2, 5_000);
      expect(summary(messages)).toEqual([
        ['snapshot', []],
        ['requested', approvalIdOf(lost.requested)],
      ]);
      expect(sse.comments).toContain(': heartbeat');
      await sse.close();
    } finally {
      await beating.close();
    }
  });

  it('is for supervisors and admins only, and bounds the open streams per credential', async () => {
    expect((await stream(tokens['customer'])).status).toBe(403);
    expect((await stream(tokens['service'])).status).toBe(403);
    expect((await stream(undefined)).status).toBe(401);
    expect((await stream(tokens['supervisor'], {}, '?since=1')).status).toBe(400);

    const own = await signToken({ sub: uniqueName('sup'), tenant, role: 'supervisor' });
    const one = await stream(own);
    const two = await stream(own);
    expect([one.status, two.status]).toEqual([200, 200]);
    const three = await stream(own);
    expect(three.status).toBe(429);
    expect(three.headers.get('retry-after')).toBe('5');
    await one.close();
    await waitFor(async () => (await stream(own)).status === 200, { timeoutMs: 5_000, description: 'a freed stream slot' });
  });
});
