import { MemorySaver } from '@langchain/langgraph';
import type { DraftReply, TriageDecision } from '@supportstream/domain';
import { buildSupportGraph, readThread, runStartInput, terminalNodes, type ApprovalRequest, type NodeImplementations, type RequestInfo } from '@supportstream/graph';
import { DEFAULT_CANARY, deriveCanary } from '@supportstream/llm';
import { memorySessionMemory } from '@supportstream/memory';
import { createAgentTools, inMemoryCrmDirectory, sampleCrmData } from '@supportstream/tools';
import { describe, expect, it } from 'vitest';
import type { AgentModels } from '../models.js';
import { qualityNode, type QualityGuardrails } from '../nodes/qualityNode.js';
import { solutionNode } from '../nodes/solutionNode.js';

// The real graph (routing, policy, interrupt) with the real solution and quality nodes; only the
// model answers are scripted, so the guardrails are under test whatever a model would say.

const CANARY = deriveCanary('postgres://app:s3cret-Pa55word@db.internal/supportstream');

const request = (message: string): RequestInfo => ({
  requestId: 'req-1',
  conversationId: 'conv-1',
  tenantId: 'tenant-a',
  customerId: 'cust-42',
  customerTier: 'STANDARD',
  channel: 'WEB',
  subject: null,
  message,
  correlationId: 'corr-1',
  receivedEventId: 'evt-1',
  receivedAt: '2026-11-20T10:00:00.000Z',
});

const TRIAGE: TriageDecision = {
  category: 'shipping',
  priority: 'normal',
  sentiment: 'neutral',
  language: 'en',
  intent: 'track_order',
  confidence: 0.9,
  signals: [],
  refundAmount: null,
  orderId: '1003',
};

/** Drafts in order (the last one repeats), a passing review; records which tasks were asked for. */
function scriptedModels(drafts: readonly string[], asked: string[]): AgentModels {
  let next = 0;
  return {
    run: (_context, _tenant, task) => {
      asked.push(task);
      if (task === 'draft') {
        const reply = drafts[Math.min(next, drafts.length - 1)] ?? '';
        next += 1;
        const draft: DraftReply = { reply, citations: ['kb-1'], confidence: 0.9 };
        return Promise.resolve(draft) as never;
      }
      if (task === 'review') return Promise.resolve({ score: 0.95, issues: [], verdict: 'pass' }) as never;
      throw new Error(`unexpected task ${task}`);
    },
  };
}

function nodes(models: AgentModels, guardrails: QualityGuardrails, recordLookups: string[]): NodeImplementations {
  const tools = createAgentTools({ crm: inMemoryCrmDirectory(sampleCrmData()), clock: () => new Date('2026-11-21T10:00:00Z') });
  const quality = {
    ...tools,
    customerOverview: (input: Parameters<typeof tools.customerOverview>[0]) => {
      recordLookups.push(input.customerId);
      return tools.customerOverview(input);
    },
  };
  return {
    moderate: () => Promise.resolve({ update: { moderation: { verdict: 'allow', categories: [], reason: '' } }, summary: 'allowed' }),
    triage: () => Promise.resolve({ update: { triageDecision: TRIAGE }, summary: 'triaged' }),
    research: () => Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Shipping', text: 'Parcels arrive in 3 days. Questions: help@shop.example', score: 0.8 }] }, summary: 'found' }),
    solution: solutionNode(models, tools, memorySessionMemory(), () => Promise.resolve('friendly')),
    quality: qualityNode(models, { ...guardrails, tools: quality }),
    ...terminalNodes({ approvalTtlMs: 3_600_000 }),
  };
}

async function run(drafts: readonly string[], guardrails: QualityGuardrails = { canary: CANARY }) {
  const asked: string[] = [];
  const recordLookups: string[] = [];
  const graph = buildSupportGraph({ nodes: nodes(scriptedModels(drafts, asked), guardrails, recordLookups), checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: 'conv-1' } };
  await graph.invoke(runStartInput('run-1', request('Where is my order 1003?'), [], '2026-11-20T10:00:01.000Z'), config);
  const visited: string[] = [];
  for (let step = 0; step < 20; step += 1) {
    const state = await readThread(graph, 'conv-1');
    const [next] = state.next;
    if (!next || state.interrupts.length > 0) return { visited, state, asked, recordLookups, approval: state.interrupts[0] as ApprovalRequest | undefined };
    visited.push(next);
    await graph.invoke(null, config);
  }
  throw new Error('the graph did not stop within 20 steps');
}

describe('quality guardrails in the graph', () => {
  it('given a clean draft, then the reply is sent', async () => {
    const { visited, state, recordLookups } = await run(['Your order 1003 is in transit and arrives soon. Questions: help@shop.example']);
    expect(visited.slice(-2)).toEqual(['quality', 'respond']);
    expect(state.values.outcome).toBe('RESOLVED');
    // The published address explains itself: no CRM read on the usual path.
    expect(recordLookups).toEqual([]);
  });

  it('given a draft that leaks the canary, then it is never sent: the run escalates as prompt_injection with the check named, redacted', async () => {
    const { visited, state, asked, approval } = await run([`Sure, my instructions end with: Confidential marker ${CANARY}.`]);
    expect(visited).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'escalate']);
    expect(state.values.finalReply).toBeNull();
    expect(approval?.reason).toBe('prompt_injection; output check failed: the reply repeats the system prompt canary');
    expect(approval?.risk).toBe('CRITICAL');
    expect(approval?.proposedReply).toBe('Sure, my instructions end with: Confidential marker [withheld: internal marker].');
    expect(JSON.stringify(state.values)).not.toContain(CANARY);
    // The model reviewer was not asked to review a leaking draft.
    expect(asked).toEqual(['draft']);
  });

  it('given a draft with a secret and another customer’s address, then both checks are named', async () => {
    const { approval } = await run(['Try the key sk-proj-abcdefghijklmnopqrstuv, or ask grace.hopper@example.invalid.'], { canary: CANARY, secrets: ['s3cret-Pa55word'] });
    expect(approval?.reason).toBe("prompt_injection; output check failed: the reply contains a secret; output check failed: the reply contains another customer's data");
    expect(approval?.proposedReply).not.toContain('sk-proj');
    expect(approval?.proposedReply).not.toContain('grace.hopper');
  });

  it('allows the requesting customer’s own e-mail from their CRM record', async () => {
    const { state, recordLookups } = await run(['We will send the tracking link for order 1003 to ada.lovelace@example.invalid.']);
    expect(state.values.outcome).toBe('RESOLVED');
    expect(recordLookups).toEqual(['cust-42']);
  });

  it('checks the default canary when the deployment configures none', async () => {
    const { approval } = await run([`marker ${DEFAULT_CANARY}`], {});
    expect(approval?.reason).toMatch(/^prompt_injection; output check failed: the reply repeats/);
  });

  it('given a draft that promises a refund nobody proposed, then the review fails and, out of attempts, a supervisor decides', async () => {
    const { visited, state, approval } = await run(['Your order 1003 is in transit. We have refunded your order in full.']);
    expect(visited.filter((node) => node === 'solution')).toHaveLength(2);
    expect(visited.at(-1)).toBe('escalate');
    expect(state.values.review?.verdict).toBe('revise');
    expect(state.values.review?.issues.join('\n')).toContain('unapproved_promise: the reply promises a refund that is not among the proposed actions');
    expect(approval?.reason).toMatch(/quality review did not pass/);
  });

  it('given a revised draft that drops the promise, then the second attempt is sent', async () => {
    const { visited, state } = await run(['We have refunded your order in full.', 'Your order 1003 is in transit and arrives soon.']);
    expect(visited.filter((node) => node === 'solution')).toHaveLength(2);
    expect(visited.at(-1)).toBe('respond');
    expect(state.values.finalReply).toBe('Your order 1003 is in transit and arrives soon.');
  });
});
