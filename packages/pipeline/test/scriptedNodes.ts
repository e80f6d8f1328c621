// Scripted node implementations for pipeline tests: the runtime is under test, not the agents.
import { InvalidInputError, TransientError } from '@supportstream/errors';
import type { NodeImplementations } from '@supportstream/graph';
import { currentRunId, terminalNodes } from '@supportstream/graph';

export function scriptedNodes(options: { approvalTtlMs?: number } = {}): NodeImplementations {
  const flaked = new Set<string>();
  return {
    moderate: (state) =>
      Promise.resolve({
        update: { moderation: /idiot|stupid/i.test(state.request?.message ?? '') ? { verdict: 'block', categories: ['abuse'], reason: 'insult' } : { verdict: 'allow', categories: [], reason: '' } },
        summary: 'moderated',
      }),
    triage: (state) => {
      const refund = /refund/i.test(state.request?.message ?? '');
      return Promise.resolve({
        update: {
          triageDecision: {
            category: refund ? 'refund' : 'shipping',
            priority: 'normal',
            sentiment: 'neutral',
            language: 'en',
            intent: refund ? 'refund_request' : 'question',
            confidence: 0.9,
            signals: refund ? ['refund_request'] : [],
            refundAmount: refund ? { amountMicros: 49_990_000, currency: 'EUR' } : null,
            orderId: null,
          },
        },
        summary: refund ? 'refund request' : 'question',
      });
    },
    research: async (state) => {
      const message = state.request?.message ?? '';
      // Holds the run in flight for a while (a slow knowledge base), so a follow-up finds it running.
      if (/slowly/.test(message)) await new Promise((resolve) => setTimeout(resolve, 1_500));
      if (/explode/.test(message)) return Promise.reject(new InvalidInputError('RESEARCH_BROKEN', 'the knowledge base rejected the query'));
      if (/flaky/.test(message) && !flaked.has(currentRunId(state))) {
        flaked.add(currentRunId(state));
        return Promise.reject(new TransientError('VECTOR_STORE_UNAVAILABLE', 'vector store timed out'));
      }
      return Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Help', text: 'Answer.', score: 0.9 }] }, summary: 'found kb-1' });
    },
    solution: (state) =>
      Promise.resolve({
        update: {
          draft: { reply: `Answer to: ${state.request?.message ?? ''}`, citations: ['kb-1'], confidence: 0.9 },
          proposedActions: state.triageDecision?.refundAmount ? [{ kind: 'refund', description: 'refund', amount: state.triageDecision.refundAmount, parameters: {} }] : [],
        },
        summary: 'drafted',
      }),
    quality: () => Promise.resolve({ update: { review: { score: 0.9, issues: [], verdict: 'pass' } }, summary: 'passed' }),
    ...terminalNodes({ approvalTtlMs: options.approvalTtlMs ?? 60 * 60 * 1000 }),
  };
}
