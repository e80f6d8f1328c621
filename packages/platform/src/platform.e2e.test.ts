import type { SupportEvent } from '@supportstream/events';
import type { ConsumerRunner } from '@supportstream/kafka';
import { AGENT_SERVICES, startService, stopService, waitFor, type ServiceProcess } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startObserver } from '../test/e2eSupport.js';


const services: ServiceProcess[] = [];
const seen: SupportEvent[] = [];
let observer: ConsumerRunner;

beforeAll(async () => {
  await cli('db', 'migrate');
  await cli('knowledge', 'ingest');
  observer = await startObserver('e2e-observer', seen);
  for (const name of AGENT_SERVICES) services.push(await startService(name, { APPROVAL_EXPIRY_CHECK_MS: '500', KAFKA_SESSION_TIMEOUT_MS: '10000' }));
}, 180_000);

afterAll(async () => {
  const codes = await Promise.all(services.map((service) => stopService(service)));
  await observer.stop();
  expect(codes.every((code) => code === 0)).toBe(true);
});

const events = (conversationId: string) => seen.filter((event) => event.metadata.conversationId === conversationId);
const distinctIds = (list: SupportEvent[]) => new Set(list.map((event) => event.metadata.eventId));

async function ask(message: string, options: { customer?: string; tenant?: string; conversation?: string; tier?: string } = {}): Promise<string> {
  const output = await cli(
    'ask',
    '--tenant',
    options.tenant ?? 'demo-tenant',
    '--customer',
    options.customer ?? 'cust-42',
    '--tier',
    options.tier ?? 'STANDARD',
    '--message',
    message,
    ...(options.conversation ? ['--conversation', options.conversation] : []),
  );
  return (JSON.parse(output) as { conversationId: string }).conversationId;
}

function waitForEvent<T extends SupportEvent['type']>(conversationId: string, type: T, extra: (event: Extract<SupportEvent, { type: T }>) => boolean = () => true) {
  return waitFor(() => events(conversationId).find((event): event is Extract<SupportEvent, { type: T }> => event.type === type && extra(event as Extract<SupportEvent, { type: T }>)), {
    timeoutMs: 60_000,
    description: () => `${type} on ${conversationId}; saw ${events(conversationId).map((event) => event.type).join(', ')}`,
  });
}

async function pendingApproval(conversationId: string): Promise<string> {
  const requested = await waitForEvent(conversationId, 'ApprovalRequested');
  // The supervisor's CLI reads the pending approvals from Kafka itself.
  const listed = await waitFor(
    async () => {
      const pending = JSON.parse(await cli('approvals', 'list', '--json')) as { approvalId: string; conversationId: string }[];
      return pending.find((entry) => entry.conversationId === conversationId);
    },
    { timeoutMs: 30_000, description: 'the approval to be listed by the CLI' },
  );
  expect(listed.approvalId).toBe(requested.data.approvalId);
  return listed.approvalId;
}

describe('the platform end to end (real services, offline model provider)', () => {
  it('resolves a how-to question with a reply that cites the knowledge base', async () => {
    const conversationId = await ask('How do I reset my password? I forgot it.');
    const reply = await waitForEvent(conversationId, 'ReplyReady');
    const completed = await waitForEvent(conversationId, 'RunCompleted');
    expect(completed.data.outcome).toBe('RESOLVED');
    expect(reply.data.citations.length).toBeGreaterThan(0);
    expect(reply.data.citations.some((citation) => citation.sourceId.includes('password-reset'))).toBe(true);
    const steps = events(conversationId).flatMap((event) => (event.type === 'AgentStepCompleted' ? [event.data.node] : []));
    expect([...new Set(steps)]).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'respond']);
    // Analytics travel on their own topic and may arrive a little later than the reply.
    const outcome = await waitForEvent(conversationId, 'RequestOutcome');
    expect(outcome.data.llmCalls).toBeGreaterThan(0);
    expect(events(conversationId).some((event) => event.type === 'LlmUsage')).toBe(true);
  });

  it('pauses a refund above the threshold for approval, and completes after approval through the CLI', async () => {
    const conversationId = await ask('I was charged twice for order 1001. Please refund the duplicate charge of 49.99 EUR.');
    const approvalId = await pendingApproval(conversationId);
    const requested = await waitForEvent(conversationId, 'ApprovalRequested');
    expect(requested.data.proposedActions[0]).toMatchObject({ kind: 'refund', amount: { amountMicros: 49_990_000, currency: 'EUR' } });
    expect(requested.data.reason).toContain('refund above the approval threshold');
    expect(await cli('approvals', 'approve', approvalId, '--by', 'e2e-supervisor')).toContain('approved');
    const completed = await waitForEvent(conversationId, 'RunCompleted');
    expect(completed.data.outcome).toBe('RESOLVED_AFTER_APPROVAL');
    const reply = await waitForEvent(conversationId, 'ReplyReady');
    expect(reply.data.body).toMatch(/49\.99/);
  });

  it('hands a conversation to a human when the supervisor rejects', async () => {
    const conversationId = await ask('I was charged twice for order 1001, refund 49.99 EUR now.');
    const approvalId = await pendingApproval(conversationId);
    await cli('approvals', 'reject', approvalId, '--by', 'e2e-supervisor', '--comment', 'check with finance');
    const completed = await waitForEvent(conversationId, 'RunCompleted');
    expect(completed.data.outcome).toBe('HANDED_OFF');
  });

  it('answers an abusive message with the fallback reply', async () => {
    const conversationId = await ask('You are useless, you stupid idiots. Shut up.');
    const completed = await waitForEvent(conversationId, 'RunCompleted');
    expect(completed.data.outcome).toBe('FALLBACK');
    expect(events(conversationId).some((event) => event.type === 'AgentStepCompleted' && event.data.node === 'research')).toBe(false);
  });

  it('adds a follow-up to the same conversation thread and answers both, one run after the other', async () => {
    const conversationId = await ask('Where is my parcel for order 1003?');
    await ask('Also, how long do refunds take?', { conversation: conversationId });
    await waitFor(() => distinctIds(events(conversationId).filter((event) => event.type === 'ReplyReady')).size === 2, {
      timeoutMs: 60_000,
      description: () => `two replies; saw ${events(conversationId).map((event) => event.type).join(', ')}`,
    });
    const requests = events(conversationId).filter((event) => event.type === 'RequestReceived').map((event) => event.metadata.requestId);
    const replies = events(conversationId).filter((event) => event.type === 'ReplyReady');
    expect([...new Set(replies.map((event) => event.metadata.requestId))]).toEqual(requests);
  });
});
