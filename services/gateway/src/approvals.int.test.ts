import type { SupportEvent } from '@supportstream/events';
import { createTopics, deleteTopics, readTopic, sampleContext, sampleEvent, testKafka, uniqueName } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './test/conformance.js';
import { codec, signToken, startTestGateway, type TestGateway } from './test/harness.js';

interface ApprovalList {
  approvals: { approvalId: string; status: string; tenantId: string }[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

// Decisions go to a topic of this test, so a running approvals service never sees them.
const decisionsTopic = uniqueName('gateway-decisions');
let gw: TestGateway;
let api: ReturnType<typeof apiClient>;
const tenant = uniqueName('tenant-appr');
const otherTenant = uniqueName('tenant-other');
const context = sampleContext({ tenantId: tenant });
const pendingId = uniqueName('appr-pending');
const expiredId = uniqueName('appr-expired');
const foreignId = uniqueName('appr-foreign');
let requested: SupportEvent;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  await createTopics(testKafka(), [decisionsTopic], 1, false);
  gw = await startTestGateway({ decisionsTopic });
  api = apiClient(gw.baseUrl);
  requested = sampleEvent('ApprovalRequested', context, { approvalId: pendingId, reason: 'refund above 25.00 EUR' });
  const expiring = sampleEvent('ApprovalRequested', context, { approvalId: expiredId });
  const foreignContext = sampleContext({ tenantId: otherTenant });
  await gw.seed([
    sampleEvent('RequestReceived', context, { customerId: 'cust-1' }),
    requested,
    expiring,
    sampleEvent('ApprovalExpired', context, { approvalId: expiredId }),
    sampleEvent('RequestReceived', foreignContext),
    sampleEvent('ApprovalRequested', foreignContext, { approvalId: foreignId }),
  ]);
  tokens['supervisor'] = await signToken({ sub: 'supervisor@example.test', tenant, role: 'supervisor' });
  tokens['admin'] = await signToken({ sub: 'admin@example.test', tenant, role: 'admin' });
  tokens['customer'] = await signToken({ sub: 'cust-1', tenant, role: 'customer' });
  tokens['service'] = await signToken({ sub: 'svc', tenant, role: 'service' });
});

afterAll(async () => {
  await gw.close();
  await deleteTopics(testKafka(), [decisionsTopic]);
});

describe('GET /v1/approvals', () => {
  it("lists the tenant's approvals, filtered by status in any case", async () => {
    for (const status of ['pending', 'PENDING', 'Pending']) {
      const response = await api.call<ApprovalList>('GET', `/v1/approvals?status=${status}&limit=50`, { token: tokens['supervisor'] });
      expect(response.status).toBe(200);
      expect(response.body.approvals.map((approval) => approval.approvalId)).toEqual([pendingId]);
    }
    const all = await api.call<ApprovalList>('GET', '/v1/approvals', { token: tokens['admin'] });
    expect(all.body.approvals.map((approval) => [approval.approvalId, approval.status]).sort()).toEqual(
      [
        [expiredId, 'EXPIRED'],
        [pendingId, 'PENDING'],
      ].sort(),
    );
    expect(all.body.approvals.every((approval) => approval.tenantId === tenant)).toBe(true);
  });

  it('refuses customers and services (403) and unknown statuses (400)', async () => {
    expect((await api.call('GET', '/v1/approvals?status=pending', { token: tokens['customer'] })).status).toBe(403);
    expect((await api.call('GET', '/v1/approvals?status=pending', { token: tokens['service'] })).status).toBe(403);
    for (const query of ['?status=waiting', '?limit=0', '?status=pending&page=2']) {
      expect((await api.call('GET', `/v1/approvals${query}`, { token: tokens['supervisor'] })).status).toBe(400);
    }
  });
});

describe('POST /v1/approvals/:id/decision', () => {
  it('refuses a customer (403), a foreign or unknown approval (404) and malformed decisions (400)', async () => {
    const decide = (id: string, token: string | undefined, body: unknown) => api.call<ErrorBody>('POST', `/v1/approvals/${id}/decision`, { ...(token === undefined ? {} : { token }), body });
    expect((await decide(pendingId, tokens['customer'], { decision: 'APPROVED' })).status).toBe(403);
    expect((await decide(pendingId, tokens['service'], { decision: 'APPROVED' })).status).toBe(403);
    expect((await decide(pendingId, undefined, { decision: 'APPROVED' })).status).toBe(401);
    expect((await decide(foreignId, tokens['supervisor'], { decision: 'APPROVED' })).status).toBe(404);
    expect((await decide(uniqueName('appr-none'), tokens['supervisor'], { decision: 'APPROVED' })).status).toBe(404);
    for (const body of [{ decision: 'MAYBE' }, { decision: 'EDITED' }, { decision: 'APPROVED', editedReply: 'x' }, { decision: 'APPROVED', comment: 5 }, {}]) {
      const response = await decide(pendingId, tokens['supervisor'], body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
    expect(gw.published).toHaveLength(0);
  });

  it('publishes ApprovalDecided, caused by the request and decided by the caller; a second decision is a 409', async () => {
    const response = await api.call<{ approvalId: string; decision: string; eventId: string }>('POST', `/v1/approvals/${pendingId}/decision`, {
      token: tokens['supervisor'],
      body: { decision: 'APPROVED', comment: 'refund is fine' },
    });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ approvalId: pendingId, decision: 'APPROVED' });

    const [record] = await readTopic(testKafka(), decisionsTopic, 1);
    const { event } = await codec.decode(record?.value ?? null);
    expect(event).toMatchObject({
      type: 'ApprovalDecided',
      data: { approvalId: pendingId, decision: 'APPROVED', decidedBy: 'supervisor@example.test', comment: 'refund is fine', editedReply: null },
      metadata: {
        eventId: response.body.eventId,
        conversationId: context.conversationId,
        requestId: context.requestId,
        correlationId: context.correlationId,
        tenantId: tenant,
        causationId: requested.metadata.eventId,
        producer: 'gateway',
      },
    });
    expect(record?.key).toBe(context.conversationId);

    // Before the projector has seen the decision, a second one is refused all the same.
    const again = await api.call<ErrorBody>('POST', `/v1/approvals/${pendingId}/decision`, { token: tokens['admin'], body: { decision: 'REJECTED' } });
    expect(again.status).toBe(409);
    // Once projected, the approval is APPROVED and still cannot be decided again.
    await gw.seed([event]);
    const approved = await api.call<ApprovalList>('GET', '/v1/approvals?status=approved', { token: tokens['supervisor'] });
    expect(approved.body.approvals).toEqual([expect.objectContaining({ approvalId: pendingId, status: 'APPROVED', decidedBy: 'supervisor@example.test' })]);
    const late = await api.call<ErrorBody>('POST', `/v1/approvals/${pendingId}/decision`, { token: tokens['admin'], body: { decision: 'EDITED', editedReply: 'Sorry!' } });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('APPROVED');
    // An expired approval was never decided through here: the read model's status alone refuses it.
    const expired = await api.call<ErrorBody>('POST', `/v1/approvals/${expiredId}/decision`, { token: tokens['supervisor'], body: { decision: 'APPROVED' } });
    expect(expired.status).toBe(409);
    expect(expired.body.error.message).toContain('EXPIRED');
    expect(gw.published).toHaveLength(1);
  });
});
