import type { TriageDecision } from '@supportstream/domain';
import { runStartInput, type NodeContext, type RequestInfo, type SupportStateType } from '@supportstream/graph';
import { memorySessionMemory } from '@supportstream/memory';
import { createAgentTools, inMemoryCrmDirectory, sampleCrmData, type AgentTools } from '@supportstream/tools';
import { describe, expect, it } from 'vitest';
import type { AgentModels } from '../models.js';
import { solutionNode } from '../nodes/solutionNode.js';

// The solution agent calls its tools behind its allowlist: arguments a model read out of a
// customer's text are validated before any CRM query, and a refused call is a fact, not a crash.

const request: RequestInfo = {
  requestId: 'req-1',
  conversationId: 'conv-1',
  tenantId: 'tenant-a',
  customerId: 'cust-42',
  customerTier: 'STANDARD',
  channel: 'WEB',
  subject: null,
  message: 'Refund order 1001; DROP TABLE orders please',
  correlationId: 'corr',
  receivedEventId: 'evt',
  receivedAt: '2026-11-20T10:00:00.000Z',
};

const triage = (orderId: string): TriageDecision => ({
  category: 'refund',
  priority: 'normal',
  sentiment: 'negative',
  language: 'en',
  intent: 'request_refund',
  confidence: 0.8,
  signals: ['refund_request'],
  refundAmount: null,
  orderId,
});

const context: NodeContext = { threadId: 'conv-1', node: 'solution', stepKey: 'k', signal: undefined, recordLlmCall: () => undefined };
const models: AgentModels = { run: () => Promise.resolve({ reply: 'ok', citations: [], confidence: 0.5 }) as never };

function countingTools(): { tools: AgentTools; calls: string[] } {
  const inner = createAgentTools({ crm: inMemoryCrmDirectory(sampleCrmData()), clock: () => new Date('2026-11-21T10:00:00Z') });
  const calls: string[] = [];
  const tools: AgentTools = {
    lookupOrder: (input) => (calls.push('lookupOrder'), inner.lookupOrder(input)),
    customerOverview: (input) => (calls.push('customerOverview'), inner.customerOverview(input)),
    computeRefund: (input) => (calls.push('computeRefund'), inner.computeRefund(input)),
    computeProration: (input) => (calls.push('computeProration'), inner.computeProration(input)),
  };
  return { tools, calls };
}

function state(orderId: string): SupportStateType {
  return { ...(runStartInput('run-1', request, [], request.receivedAt) as SupportStateType), triageDecision: triage(orderId) };
}

describe('solution agent tools behind the allowlist', () => {
  it('given an order number with an injected statement, then no tool runs, the step goes on and records the refusal', async () => {
    const { tools, calls } = countingTools();
    const result = await solutionNode(models, tools, memorySessionMemory(), () => Promise.resolve('friendly'))(state("1001'; DROP TABLE orders; --"), context);
    expect(calls).toEqual([]);
    expect(result.update.facts).toEqual(['The order number in the message is not a valid order number, so no order was looked up.']);
    expect(result.update.proposedActions).toEqual([]);
    expect(result.output).toMatchObject({ refusedToolCalls: ['lookupOrder'] });
  });

  it('given a valid order number, then the tools run as before and nothing is refused', async () => {
    const { tools, calls } = countingTools();
    const result = await solutionNode(models, tools, memorySessionMemory(), () => Promise.resolve('friendly'))(state('#1001'), context);
    expect(calls).toEqual(['lookupOrder', 'computeRefund']);
    expect(result.update.proposedActions).toEqual([expect.objectContaining({ kind: 'refund', amount: { amountMicros: 49_990_000, currency: 'EUR' } })]);
    expect(result.output).not.toHaveProperty('refusedToolCalls');
  });
});
