import { causedBy, createEventFactory, ERASED_FIELD, type SupportEvent } from '@supportstream/events';
import { runIdOf } from '@supportstream/pipeline';
import { specification } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import type { RecordedWindow } from '../audit/recordedWindow.js';
import type { RequestReceived } from '../audit/replayEngine.js';
import {
  planRecorded,
  recordedCategoryOf,
  recordedOutcomeOf,
  recordedTickets,
  type RecordedOutcome,
} from './recordedTickets.js';

const factory = createEventFactory({ producer: 'recorded-tickets-test' });
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 9, 0, seconds));
const eur = (units: number) => ({ amountMicros: units * 1_000_000, currency: 'EUR' });

type Fields = Partial<RequestReceived['data']>;

function request(id: string, seconds: number, fields: Fields = {}, conversationId = `conv-${id}`) {
  const data = {
    channel: 'EMAIL' as const,
    customerId: `cust-${id}`,
    customerTier: 'STANDARD' as const,
    subject: null,
    message: `message ${id}`,
    locale: 'en',
    attributes: {},
    ...fields,
  };
  const ids = { requestId: `req-${id}`, correlationId: `corr-${id}`, causationId: null };
  const context = { conversationId, tenantId: 'tenant-a', customerId: data.customerId, ...ids };
  return factory.create('RequestReceived', data, context, `event-${id}`, at(seconds));
}

type Action = { readonly kind: string; readonly amount: ReturnType<typeof eur> | null };

/** The events a recorded run of `cause` leaves, built as the step runner would. */
function runOf(cause: RequestReceived) {
  const runId = runIdOf(cause.metadata.requestId);
  const context = causedBy(cause);
  const base = cause.metadata.occurredAt.getTime();
  const when = (ms: number) => new Date(base + ms);
  return {
    runId,
    step: (node: string, output: unknown, ms = 10) => {
      const step = { runId, node, checkpointId: `cp-${node}`, stepIndex: 1, attempt: 1, next: null, durationMs: 5 };
      const data = { ...step, summary: node, output: JSON.stringify(output) };
      return factory.create('AgentStepCompleted', data, context, undefined, when(ms));
    },
    approval: (approvalId: string, actions: readonly Action[], ms = 20) => {
      const proposedActions = actions.map((action) => ({ ...action, description: action.kind, parameters: {} }));
      const asked = { approvalId, runId, checkpointId: 'cp-escalate', reason: 'refund above the approval threshold' };
      const shown = { risk: 'HIGH' as const, riskScore: 0.8, proposedReply: 'We will refund you.', proposedActions };
      const data = { ...asked, ...shown, expiresAt: when(86_400_000) };
      return factory.create('ApprovalRequested', data, context, undefined, when(ms));
    },
    decided: (approvalId: string, decision: 'APPROVED' | 'REJECTED' | 'EDITED', ms = 30) => {
      const editedReply = decision === 'EDITED' ? 'Edited.' : null;
      const data = { approvalId, decision, decidedBy: 'sam@example.com', comment: null, editedReply };
      return factory.create('ApprovalDecided', data, context, undefined, when(ms));
    },
    expired: (approvalId: string, ms = 30) => {
      const data = { approvalId, expiredAt: when(ms), fallbackPath: 'handoff' };
      return factory.create('ApprovalExpired', data, context, undefined, when(ms));
    },
    completed: (outcome: 'RESOLVED' | 'RESOLVED_AFTER_APPROVAL' | 'HANDED_OFF' | 'FALLBACK', ms = 40) => {
      const data = { runId, outcome, finalReply: 'Done.', citations: [], stepCount: 6, durationMs: ms };
      return factory.create('RunCompleted', data, context, undefined, when(ms));
    },
  };
}

const refund = runOf(request('refund', 1));
const outcomeOf = specification(
  (events: readonly SupportEvent[], runId: string): RecordedOutcome => recordedOutcomeOf(events, runId),
);

describe('recordedOutcomeOf', () => {
  it('given an approval a supervisor APPROVED, then the label is escalate, with the accepted actions', () => {
    const { runId, step, approval, decided, completed } = refund;
    const refund80 = [{ kind: 'refund', amount: eur(80) }];
    const triaged = step('triage', { category: 'refund', confidence: 0.9 });
    outcomeOf
      .given([triaged, approval('ap-1', refund80), decided('ap-1', 'APPROVED'), completed('RESOLVED_AFTER_APPROVAL')])
      .when(runId)
      .then({
        recorded: { end: 'approval', category: 'refund' },
        label: { escalate: true, decision: 'APPROVED', actions: [{ kind: 'refund', amount: eur(80) }] },
      });
  });

  it('given an approval EDITED or REJECTED, then the label has the decision and the actions put to it', () => {
    const { runId, approval, decided } = refund;
    const actions = [{ kind: 'refund', amount: eur(20) }];
    outcomeOf
      .given([approval('ap-1', actions), decided('ap-1', 'EDITED')])
      .when(runId)
      .thenMatches({ label: { decision: 'EDITED', actions } });
    outcomeOf
      .given([approval('ap-1', actions), decided('ap-1', 'REJECTED')])
      .when(runId)
      .thenMatches({ label: { decision: 'REJECTED', actions } });
  });

  it('given an approval that expired, then the label is escalate with no decision', () => {
    const { runId, approval, expired, completed } = refund;
    outcomeOf
      .given([approval('ap-1', []), expired('ap-1'), completed('HANDED_OFF')])
      .when(runId)
      .then({
        recorded: { end: 'approval', category: null },
        label: { escalate: true, decision: null, actions: [] },
      });
  });

  it('given an approval not decided yet, or decided only for another approval, then there is no label', () => {
    const { runId, approval, decided } = refund;
    const other = runOf(request('other', 2));
    outcomeOf
      .given([approval('ap-1', []), other.approval('ap-2', []), other.decided('ap-2', 'APPROVED')])
      .when(runId)
      .then({ recorded: { end: 'approval', category: null }, label: null });
    // The first answer counts: the approvals consumer resumes the run once.
    outcomeOf
      .given([approval('ap-1', []), decided('ap-1', 'REJECTED', 30), decided('ap-1', 'APPROVED', 50)])
      .when(runId)
      .thenMatches({ label: { decision: 'REJECTED' } });
  });

  it('given a run that ended without an approval, then it is answered, with the category triage recorded', () => {
    const { runId, step, completed } = refund;
    const moderated = step('moderate', { verdict: 'allow' }, 5);
    // The RunCompleted twice: a redelivery.
    const ended = completed('RESOLVED');
    outcomeOf
      .given([moderated, step('triage', { category: 'billing' }), ended, ended])
      .when(runId)
      .then({ recorded: { end: 'answered', category: 'billing' }, label: null });
  });

  it("given only another run's events, or a run that has not ended, then nothing is recorded for this run", () => {
    const other = runOf(request('other', 2));
    outcomeOf
      .given([other.completed('RESOLVED')])
      .when(refund.runId)
      .then({ recorded: { end: 'none', category: null }, label: null });
    outcomeOf
      .given([refund.step('triage', { category: 'shipping' })])
      .when(refund.runId)
      .then({ recorded: { end: 'none', category: 'shipping' }, label: null });
  });
});

describe('recordedCategoryOf', () => {
  it('reads the category of a triage output, in either shape; anything else is no category', () => {
    expect(recordedCategoryOf(JSON.stringify({ category: 'legal', priority: 'high' }))).toBe('legal');
    expect(recordedCategoryOf(JSON.stringify({ triageDecision: { category: 'refund' } }))).toBe('refund');
    expect(recordedCategoryOf(JSON.stringify({ category: 'complaint' }))).toBeNull();
    expect(recordedCategoryOf(ERASED_FIELD)).toBeNull();
    expect(recordedCategoryOf('null')).toBeNull();
  });
});

describe('recordedTickets and planRecorded', () => {
  const vip: Fields = { channel: 'CHAT', subject: 'Order 7001', customerTier: 'VIP', customerId: 'cust-a' };
  const first = request('a', 1, vip, 'conv-a');
  const lone = request('b', 2);
  const erased = request('c', 3, { message: ERASED_FIELD, subject: ERASED_FIELD });
  const followUp = request('d', 4, { customerId: 'cust-a' }, 'conv-a');
  const late = request('e', 5);
  const run = runOf(first);
  const window: RecordedWindow = {
    requests: [first, lone, erased, followUp, late],
    recordedByConversation: new Map([
      ['conv-a', [run.step('triage', { category: 'refund' }), run.completed('RESOLVED')]],
    ]),
  };

  it('given a window with an erased request, then it is counted and not run; a limit keeps the earliest', () => {
    const all = recordedTickets(window);
    expect(all.tickets.map((ticket) => ticket.id)).toEqual(['req-a', 'req-b', 'req-d', 'req-e']);
    expect(all).toMatchObject({ erased: 1, skipped: 0 });
    expect(all.tickets[0]).toMatchObject({ recorded: { end: 'answered', category: 'refund' }, label: null });
    expect(all.tickets[1]).toMatchObject({ recorded: { end: 'none', category: null }, label: null });
    const limited = recordedTickets(window, 2);
    expect(limited.tickets.map((ticket) => ticket.id)).toEqual(['req-a', 'req-b']);
    expect(limited).toMatchObject({ erased: 1, skipped: 2 });
  });

  it('given a follow-up, then it runs on the thread of what it follows, after it, from the recorded request', () => {
    const plans = planRecorded(recordedTickets(window).tickets);
    expect(plans.map((plan) => [plan.threadId, plan.tickets.map((planned) => planned.ticket.id)])).toEqual([
      ['eval-recorded:conv-a', ['req-a', 'req-d']],
      ['eval-recorded:conv-b', ['req-b']],
      ['eval-recorded:conv-e', ['req-e']],
    ]);
    const info = plans[0]?.tickets[0]?.info;
    expect(info).toMatchObject({
      requestId: 'req-a',
      conversationId: 'eval-recorded:conv-a',
      tenantId: 'tenant-a',
      customerId: 'cust-a',
      customerTier: 'VIP',
      channel: 'CHAT',
      subject: 'Order 7001',
      message: 'message a',
      receivedAt: at(1).toISOString(),
    });
    expect(plans[0]?.tickets[0]?.request).toBe(first);
  });
});
