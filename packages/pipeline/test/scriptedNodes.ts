// Scripted node implementations for pipeline tests: the runtime is under test, not the agents.
import type { NodeImplementations } from '@supportstream/graph';
import { terminalNodes } from '@supportstream/graph';

export function scriptedNodes(): NodeImplementations {
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
    research: () => Promise.resolve({ update: { sources: [{ id: 'kb-1', title: 'Help', text: 'Answer.', score: 0.9 }] }, summary: 'found kb-1' }),
    solution: (state) =>
      Promise.resolve({
        update: {
          draft: { reply: `Answer to: ${state.request?.message ?? ''}`, citations: ['kb-1'], confidence: 0.9 },
          proposedActions: state.triageDecision?.refundAmount ? [{ kind: 'refund', description: 'refund', amount: state.triageDecision.refundAmount, parameters: {} }] : [],
        },
        summary: 'drafted',
      }),
    quality: () => Promise.resolve({ update: { review: { score: 0.9, issues: [], verdict: 'pass' } }, summary: 'passed' }),
    ...terminalNodes({ approvalTtlMs: 60 * 60 * 1000 }),
  };
}
