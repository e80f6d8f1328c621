import type { EventDataMap, EventType, SupportEvent } from '@supportstream/events';
import { sampleContext, sampleEvent } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { compareRuns, summarizeComparisons, summarizeRun } from './runComparison.js';

const context = sampleContext();
const event = <T extends EventType>(type: T, data: Partial<EventDataMap[T]>): SupportEvent => sampleEvent(type, context, { runId: 'run-1', ...data }) as SupportEvent;
const step = (node: string) => event('AgentStepCompleted', { node });
const request = { conversationId: 'c', requestId: 'r', runId: 'run-1', occurredAt: '2026-01-01T00:00:00.000Z' };

const resolved = [...['moderate', 'triage', 'research', 'solution', 'quality', 'respond'].map(step), event('RunCompleted', { outcome: 'RESOLVED', finalReply: 'Reset it here.' })];
const escalated = [...['moderate', 'triage', 'research', 'solution', 'quality'].map(step), event('ApprovalRequested', { proposedReply: 'We will refund 49.99 EUR.' })];

describe('summarizeRun', () => {
  it('given a completed run, then its outcome, route and reply; duplicates and other runs count not', () => {
    const other = event('RunCompleted', { runId: 'run-2', outcome: 'FAILED' });
    const summary = summarizeRun([...resolved, resolved[0]!, other], 'run-1');
    expect(summary).toMatchObject({ outcome: 'RESOLVED', automatedOutcome: 'RESOLVED', reply: 'Reset it here.', escalated: false });
    expect(summary.route).toEqual(['moderate', 'triage', 'research', 'solution', 'quality', 'respond']);
  });

  it('given a run that waits for approval, then AWAITING_APPROVAL with the proposed reply', () => {
    expect(summarizeRun(escalated, 'run-1')).toMatchObject({ outcome: 'AWAITING_APPROVAL', automatedOutcome: 'AWAITING_APPROVAL', automatedReply: 'We will refund 49.99 EUR.', reply: null, escalated: true });
  });

  it('given an approved run, then it is compared up to the escalation', () => {
    const approved = [...escalated, step('escalate'), step('respond'), event('RunCompleted', { outcome: 'RESOLVED_AFTER_APPROVAL', finalReply: 'Refunded.' })];
    const summary = summarizeRun(approved, 'run-1');
    expect(summary).toMatchObject({ outcome: 'RESOLVED_AFTER_APPROVAL', automatedOutcome: 'AWAITING_APPROVAL', reply: 'Refunded.', automatedReply: 'We will refund 49.99 EUR.' });
    expect(summary.automatedRoute).toEqual(['moderate', 'triage', 'research', 'solution', 'quality']);
  });

  it('given no events of the run, then MISSING', () => {
    expect(summarizeRun([], 'run-1')).toMatchObject({ outcome: 'MISSING', route: [], reply: null, escalated: false });
  });
});

describe('compareRuns', () => {
  it('given the same run twice, then nothing changed', () => {
    const comparison = compareRuns(request, summarizeRun(resolved, 'run-1'), { ...summarizeRun(resolved, 'run-1'), threadId: 't' });
    expect(comparison).toMatchObject({ sameOutcome: true, routeChanged: false, replyChanged: false, escalationChanged: false });
  });

  it('given a hand-off recorded and a resolution now, then outcome, route and reply changed', () => {
    const handedOff = [...['moderate', 'triage', 'research', 'solution', 'quality', 'handoff'].map(step), event('RunCompleted', { outcome: 'HANDED_OFF', finalReply: 'A colleague will reply.' })];
    const comparison = compareRuns(request, summarizeRun(handedOff, 'run-1'), { ...summarizeRun(resolved, 'run-1'), threadId: 't' });
    expect(comparison).toMatchObject({ sameOutcome: false, routeChanged: true, replyChanged: true, escalationChanged: false });
    expect(summarizeComparisons([comparison])).toEqual({
      total: 1,
      sameOutcome: 0,
      differentOutcome: 1,
      routesChanged: 1,
      repliesChanged: 1,
      escalationsChanged: 0,
      recordedMissing: 0,
      shadowIncomplete: 0,
    });
  });

  it('given an escalation recorded and none now, then escalation changed', () => {
    const comparison = compareRuns(request, summarizeRun(escalated, 'run-1'), { ...summarizeRun(resolved, 'run-1'), threadId: 't' });
    expect(comparison).toMatchObject({ sameOutcome: false, routeChanged: true, escalationChanged: true });
  });
});
