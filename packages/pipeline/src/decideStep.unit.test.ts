import type { ApprovalRequest, ApprovalResume, RequestInfo, SupportStateType, ThreadSnapshot } from '@supportstream/graph';
import { specification } from '@supportstream/testing';
import { describe, it } from 'vitest';
import { decideResume, decideStart, decideStep, type StepTrigger } from './decideStep.js';

const request = (requestId: string): RequestInfo => ({
  requestId,
  conversationId: 'conv-1',
  tenantId: 't',
  customerId: 'c',
  customerTier: 'STANDARD',
  channel: 'WEB',
  subject: null,
  message: 'hello',
  correlationId: 'corr',
  receivedEventId: `received-${requestId}`,
  receivedAt: '2026-03-01T10:00:00.000Z',
});

/** A checkpoint of conversation conv-1: id, the node it waits before (if any), what its last step was. */
function checkpoint(id: string | undefined, options: { next?: string; parent?: string; lastNode?: string; requestId?: string; interrupts?: unknown[]; approval?: Partial<SupportStateType['approval']> } = {}): ThreadSnapshot {
  const values = {
    request: options.requestId ? request(options.requestId) : null,
    lastStep: options.lastNode ? { node: options.lastNode, startedAt: '2026-03-01T10:00:00.000Z', durationMs: 1, summary: '', output: {}, llmCalls: [] } : null,
    approval: options.approval ?? null,
  } as unknown as SupportStateType;
  return { values, next: options.next ? [options.next] : [], tasks: options.next ? [options.next] : [], checkpointId: id, parentCheckpointId: options.parent, interrupts: options.interrupts ?? [], createdAt: undefined, step: 1 };
}

const decision: ApprovalResume = { decision: 'APPROVED', decidedBy: 'sam', comment: null, editedReply: null, decisionEventId: 'decided-1' };
const pending: ApprovalRequest = { approvalId: 'appr-1', reason: 'refund', risk: 'HIGH', riskScore: 0.8, proposedReply: 'ok', requestedAt: '2026-03-01T10:00:00.000Z', expiresAt: '2026-03-01T11:00:00.000Z' };

describe('decideStep', () => {
  const step = specification(({ latest, child }: { latest: ThreadSnapshot; child?: ThreadSnapshot }, trigger: StepTrigger) => decideStep(trigger, latest, child));
  const research: StepTrigger = { node: 'research', fromCheckpointId: 'c2' };

  it('runs the node when the thread waits before it at the trigger checkpoint', () => {
    step.given({ latest: checkpoint('c2', { next: 'research' }) }).when(research).then({ kind: 'run' });
  });

  it('replays a redelivered trigger whose step already ran: the child of its checkpoint is that node', () => {
    const child = checkpoint('c3', { parent: 'c2', lastNode: 'research', next: 'solution' });
    step.given({ latest: checkpoint('c5', { next: 'respond' }), child }).when(research).then({ kind: 'replay', snapshot: child });
  });

  it('is stale when the trigger checkpoint is older and its child is another node (the run took another path)', () => {
    const latest = checkpoint('c5', { next: 'respond' });
    step.given({ latest, child: checkpoint('c3', { parent: 'c2', lastNode: 'fallback' }) }).when(research).then({ kind: 'stale', snapshot: latest });
  });

  it('is stale when the history has no child of the trigger checkpoint', () => {
    const latest = checkpoint('c9', { next: 'research' });
    step.given({ latest }).when(research).then({ kind: 'stale', snapshot: latest });
  });

  it('is stale for a trigger naming the right node but another checkpoint than the one the thread waits at', () => {
    // The guard: a trigger from an earlier run's checkpoint must not run the current run's step.
    const latest = checkpoint('c7', { next: 'research' });
    step.given({ latest }).when(research).then({ kind: 'stale', snapshot: latest });
  });

  it('is stale when the thread waits at the trigger checkpoint but before another node', () => {
    const latest = checkpoint('c2', { next: 'solution' });
    step.given({ latest }).when(research).then({ kind: 'stale', snapshot: latest });
  });

  it('has nothing to re-announce for the trigger that reached a pause once a decision resumed the step', () => {
    const latest = checkpoint('c7');
    const resumed = checkpoint('c5', { parent: 'c4', lastNode: 'escalate', approval: { approvalId: 'appr-1', decisionEventId: 'decided-1', decision: 'APPROVED', decidedBy: 'sam' } });
    step.given({ latest, child: resumed }).when({ node: 'escalate', fromCheckpointId: 'c4' }).then({ kind: 'stale', snapshot: latest });
  });

  it('replays the resumed step for the decision that resumed it', () => {
    const resumed = checkpoint('c5', { parent: 'c4', lastNode: 'escalate', approval: { approvalId: 'appr-1', decisionEventId: 'decided-1', decision: 'APPROVED', decidedBy: 'sam' } });
    step.given({ latest: checkpoint('c7'), child: resumed }).when({ node: 'escalate', fromCheckpointId: 'c4', resume: decision }).then({ kind: 'replay', snapshot: resumed });
  });

  it('keeps a paused approval standing when the trigger brings no decision', () => {
    const latest = checkpoint('c4', { next: 'escalate', interrupts: [pending] });
    step.given({ latest }).when({ node: 'escalate', fromCheckpointId: 'c4' }).then({ kind: 'paused', snapshot: latest });
  });

  it('runs a paused node when the trigger resumes it with a decision', () => {
    step.given({ latest: checkpoint('c4', { next: 'escalate', interrupts: [pending] }) }).when({ node: 'escalate', fromCheckpointId: 'c4', resume: decision }).then({ kind: 'run' });
  });
});

describe('decideStart', () => {
  const start = specification(({ latest, beginning }: { latest: ThreadSnapshot; beginning?: ThreadSnapshot }, info: RequestInfo) => decideStart(info, latest, beginning));

  it('starts a new conversation', () => {
    start.given({ latest: checkpoint(undefined) }).when(request('r1')).then({ kind: 'start' });
  });

  it('starts a follow-up on an idle thread whose history does not hold it', () => {
    start.given({ latest: checkpoint('c9', { requestId: 'r0', lastNode: 'respond' }) }).when(request('r1')).then({ kind: 'start' });
  });

  it('queues a follow-up behind the run in flight', () => {
    start.given({ latest: checkpoint('c3', { requestId: 'r0', next: 'solution' }) }).when(request('r1')).then({ kind: 'queue' });
  });

  it('finds the beginning of a redelivered request that is the current run', () => {
    const beginning = checkpoint('c1', { requestId: 'r1', next: 'moderate' });
    start.given({ latest: checkpoint('c4', { requestId: 'r1', next: 'quality' }), beginning }).when(request('r1')).then({ kind: 'existing', beginning });
  });

  it('takes the latest checkpoint as the beginning when the run waits before moderate (a start that crashed before its first step)', () => {
    const latest = checkpoint('c1', { requestId: 'r1', next: 'moderate' });
    start.given({ latest }).when(request('r1')).then({ kind: 'existing', beginning: latest });
  });

  it('recognises a redelivered earlier request from the history, even while another run is in flight', () => {
    const beginning = checkpoint('c1', { requestId: 'r1', next: 'moderate' });
    start.given({ latest: checkpoint('c8', { requestId: 'r2', next: 'research' }), beginning }).when(request('r1')).then({ kind: 'existing', beginning });
  });
});

describe('decideResume', () => {
  const resume = specification(({ latest, resumed }: { latest: ThreadSnapshot; resumed?: ThreadSnapshot }, input: { approvalId: string; decisionEventId: string }) =>
    decideResume(input.approvalId, input.decisionEventId, latest, resumed),
  );

  it('resumes the run that waits at the approval', () => {
    resume.given({ latest: checkpoint('c4', { next: 'escalate', interrupts: [pending] }) }).when({ approvalId: 'appr-1', decisionEventId: 'decided-1' }).then({ kind: 'resume', request: pending, fromCheckpointId: 'c4' });
  });

  it('replays when this very decision already resumed the run', () => {
    const resumed = checkpoint('c5', { parent: 'c4', lastNode: 'escalate', approval: { approvalId: 'appr-1', decisionEventId: 'decided-1', decision: 'APPROVED', decidedBy: 'sam' } });
    resume.given({ latest: checkpoint('c6'), resumed }).when({ approvalId: 'appr-1', decisionEventId: 'decided-1' }).then({ kind: 'replay', snapshot: resumed });
  });

  it('refuses a second, different decision on an approval already decided', () => {
    const resumed = checkpoint('c5', { parent: 'c4', lastNode: 'escalate', approval: { approvalId: 'appr-1', decisionEventId: 'decided-1', decision: 'REJECTED', decidedBy: 'kim' } });
    resume.given({ latest: checkpoint('c6'), resumed }).when({ approvalId: 'appr-1', decisionEventId: 'decided-2' }).then({ kind: 'refuse', reason: 'already_decided', decidedBy: 'kim', decision: 'REJECTED' });
  });

  it('refuses a decision for an approval no run waits for', () => {
    resume.given({ latest: checkpoint('c4', { next: 'escalate', interrupts: [pending] }) }).when({ approvalId: 'appr-other', decisionEventId: 'decided-1' }).then({ kind: 'refuse', reason: 'unknown_approval' });
  });
});
