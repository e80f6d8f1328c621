import { fileURLToPath } from 'node:url';
import { supportTicket, type SupportTicket, type SupportTicketInput } from '@supportstream/eval';
import { currentRunId } from '@supportstream/graph';
import { hashingEmbedder } from '@supportstream/memory';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvalWorld } from './evaluate.js';
import { offlineResolver } from './evalModels.js';
import { runTickets, type EvalWorld } from './runTickets.js';

const knowledge = fileURLToPath(new URL('../../../../knowledge', import.meta.url));

const ticket = (id: string, message: string, fields: Partial<SupportTicketInput> = {}): SupportTicket =>
  supportTicket.parse({
    id,
    tenantId: 'tenant-a',
    customerId: 'cust-300',
    language: 'en',
    message,
    category: 'account',
    escalate: false,
    escalationReasons: [],
    moderation: 'allow',
    amount: null,
    pii: [],
    injection: false,
    ...fields,
  });

let world: EvalWorld;
beforeAll(async () => {
  const embedder = hashingEmbedder({ dimensions: 384 });
  world = await createEvalWorld({ resolver: offlineResolver(), embedder, knowledgeDir: knowledge });
});

describe('runTickets', () => {
  it('given a ticket and its follow-up, when run, then the follow-up goes on on the thread after it', async () => {
    const first = ticket('a-1', 'I cannot log in. How do I reset my password?', { conversation: 'reset' });
    const lone = ticket('b-1', 'Where is my parcel for order 2291?', { category: 'shipping' });
    const thanks = 'Found the reset link, thanks!';
    const followUp = ticket('a-2', thanks, { conversation: 'reset', followUpOf: 'a-1', category: 'other' });
    const [a1, b1, a2] = await runTickets([first, lone, followUp], world);

    expect([a1?.ticket.id, b1?.ticket.id, a2?.ticket.id]).toEqual(['a-1', 'b-1', 'a-2']);
    expect(a2?.threadId).toBe(a1?.threadId);
    expect(b1?.threadId).not.toBe(a1?.threadId);
    expect(a2 && currentRunId(a2.state)).not.toBe(a1 && currentRunId(a1.state));
    // The thread holds the conversation: the first exchange, then the follow-up and its answer.
    expect(a1?.state.finalReply).toEqual(expect.any(String));
    expect(a2?.state.messages?.map((message) => `${message.role}: ${message.text}`)).toEqual([
      `customer: ${first.message}`,
      `agent: ${a1?.state.finalReply}`,
      `customer: ${followUp.message}`,
      `agent: ${a2?.state.finalReply}`,
    ]);
    // Each run records only its own requests to the provider.
    const sent = (run: typeof a1) => (run?.calls ?? []).flatMap((call) => call.messages.map((m) => m.content));
    expect(sent(a1).some((content) => content.includes(thanks))).toBe(false);
    expect(a2?.calls.map((call) => call.task)).toContain('triage');
  });

  it('given a pause and a follow-up, then the pause is observed, then rejected, then the follow-up runs', async () => {
    const warning = 'This is my last warning: my lawyer will take you to court over order 5521.';
    const threat = ticket('c-1', warning, { conversation: 'court', category: 'legal' });
    const followUp = ticket('c-2', 'Any answer yet?', { conversation: 'court', followUpOf: 'c-1', category: 'other' });
    const [paused, after] = await runTickets([threat, followUp], world);

    expect(paused?.error).toBeUndefined();
    expect(paused?.paused).toBe(true);
    expect(paused?.state.risk?.reasons).toContain('legal threat');
    expect(paused?.state.finalReply).toBeNull();
    expect(after?.error).toBeUndefined();
    const roles = after?.state.messages?.map((message) => message.role);
    expect(roles).toEqual(['customer', 'agent', 'customer']);
    expect(after?.state.messages?.[1]?.text).toMatch(/passed your conversation to a member of our support team/);
  });

  it('given a run that cannot finish, then it is reported failed where it stopped, and the others run', async () => {
    const lookupOrder = () => Promise.reject(new Error('CRM unavailable'));
    const broken: EvalWorld = { ...world, tools: { ...world.tools, lookupOrder } };
    const late = ticket('d-1', 'Where is order 1005? It has not arrived.', { category: 'shipping' });
    const [failed, fine] = await runTickets([late, ticket('d-2', 'How do I change my password?')], broken);
    expect(failed?.error).toMatch(/CRM unavailable/);
    expect(failed?.state.triageDecision?.orderId).toBe('1005');
    expect(fine?.error).toBeUndefined();
    expect(fine?.state.triageDecision).not.toBeNull();
    expect(fine?.calls.length).toBeGreaterThan(0);
  });
});
