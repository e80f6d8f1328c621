import type { ApprovalRequest, ApprovalResume, NodeName, RequestInfo, ThreadSnapshot } from '@supportstream/graph';

/**
 * The step runner's decisions, as pure functions of a trigger and what the thread's checkpoints
 * show. The runner reads the latest checkpoint once; only when that does not settle the question
 * (a redelivered trigger, a follow-up) does it search the history and decide again with it.
 */

/** What asks for a step: run `node` from the checkpoint the trigger saw waiting before it. */
export interface StepTrigger {
  readonly node: NodeName;
  readonly fromCheckpointId: string;
  readonly resume?: ApprovalResume | undefined;
}

/**
 * - run: the thread waits before `node` at the trigger's checkpoint: run it now;
 * - replay: the step already ran from that checkpoint (a redelivery): re-announce its checkpoint;
 * - paused: the node waits at interrupt() and the trigger brings no decision: the approval stands;
 * - stale: the thread is elsewhere (an older trigger, or the run took another path).
 */
export type StepDecision =
  | { readonly kind: 'run' }
  | { readonly kind: 'replay'; readonly snapshot: ThreadSnapshot }
  | { readonly kind: 'paused'; readonly snapshot: ThreadSnapshot }
  | { readonly kind: 'stale'; readonly snapshot: ThreadSnapshot };

export const isRunning = (snapshot: ThreadSnapshot): boolean => snapshot.next.length > 0 || snapshot.tasks.length > 0;

/** The checkpoint waits before `node`, or `node` ran and saved its writes but its checkpoint was not written. */
export const isAt = (snapshot: ThreadSnapshot, node: string): boolean => snapshot.next.includes(node) || snapshot.tasks.includes(node);

/** True when the latest checkpoint alone cannot decide: the thread moved past the trigger's checkpoint. */
export const needsHistory = (trigger: StepTrigger, latest: ThreadSnapshot): boolean => latest.checkpointId !== trigger.fromCheckpointId;

/**
 * Decides a step from the latest checkpoint and, when `needsHistory` said so, the checkpoint that
 * followed the trigger's (its child, if the history has one).
 */
export function decideStep(trigger: StepTrigger, latest: ThreadSnapshot, child?: ThreadSnapshot): StepDecision {
  if (latest.checkpointId === trigger.fromCheckpointId && isAt(latest, trigger.node)) {
    if (latest.interrupts.length > 0 && trigger.resume === undefined) return { kind: 'paused', snapshot: latest };
    return { kind: 'run' };
  }
  if (child?.parentCheckpointId === trigger.fromCheckpointId && child.values.lastStep?.node === trigger.node) {
    // The step after a pause was run by a decision, and is announced as caused by it. The trigger
    // that reached the pause had its announcement (the approval request; a decision implies it was
    // published): a redelivery of it has nothing left to say.
    if (isResumedBy(child) && trigger.resume === undefined) return { kind: 'stale', snapshot: latest };
    return { kind: 'replay', snapshot: child };
  }
  return { kind: 'stale', snapshot: latest };
}

/** A step that a supervisor's decision resumed (escalate after its interrupt). */
const isResumedBy = (snapshot: ThreadSnapshot): boolean => snapshot.values.lastStep?.node === 'escalate' && (snapshot.values.approval?.decisionEventId ?? null) !== null;

/** The outcome of the invoke that ran a step: an interrupt leaves the thread at the same checkpoint. */
export const ranOrPaused = (trigger: StepTrigger, after: ThreadSnapshot): 'ran' | 'paused' => (after.checkpointId === trigger.fromCheckpointId ? 'paused' : 'ran');

/**
 * - start: the request's run begins now (the thread is idle or new);
 * - existing: this request's run began earlier (a redelivery): `beginning` waits before moderate,
 *   or is undefined when the history no longer holds it;
 * - queue: another run is in flight on the conversation: the request waits its turn.
 */
export type StartDecision =
  | { readonly kind: 'start' }
  | { readonly kind: 'existing'; readonly beginning: ThreadSnapshot | undefined }
  | { readonly kind: 'queue' };

/** The latest checkpoint decides a new conversation and a redelivery of the current run's request; everything else needs the history. */
export function startNeedsHistory(request: RequestInfo, latest: ThreadSnapshot): boolean {
  if (latest.checkpointId === undefined) return false;
  return latest.values.request?.requestId !== request.requestId || !isAt(latest, 'moderate');
}

/** `beginning`: the checkpoint of the history waiting before `moderate` for this request, when the history was searched. */
export function decideStart(request: RequestInfo, latest: ThreadSnapshot, beginning?: ThreadSnapshot): StartDecision {
  if (latest.checkpointId !== undefined && latest.values.request?.requestId === request.requestId) {
    return { kind: 'existing', beginning: isAt(latest, 'moderate') ? latest : beginning };
  }
  if (beginning) return { kind: 'existing', beginning };
  return isRunning(latest) ? { kind: 'queue' } : { kind: 'start' };
}

/** Is this the checkpoint a request's run began at (waiting before moderate)? */
export const isRunBeginning = (request: RequestInfo) => (snapshot: ThreadSnapshot) => snapshot.values.request?.requestId === request.requestId && isAt(snapshot, 'moderate');

/**
 * A supervisor's decision on an approval:
 * - resume: the run waits at that approval: resume it with the decision;
 * - replay: this very decision resumed it already (a redelivery): re-announce what it caused;
 * - refuse: another decision came first, or no run waits for this approval.
 */
export type ResumeDecision =
  | { readonly kind: 'resume'; readonly request: ApprovalRequest; readonly fromCheckpointId: string }
  | { readonly kind: 'replay'; readonly snapshot: ThreadSnapshot }
  | { readonly kind: 'refuse'; readonly reason: 'already_decided' | 'unknown_approval'; readonly decidedBy?: string | null; readonly decision?: string | null };

const pendingApproval = (latest: ThreadSnapshot): ApprovalRequest | undefined => latest.interrupts[0] as ApprovalRequest | undefined;

export const resumeNeedsHistory = (approvalId: string, latest: ThreadSnapshot): boolean => !(pendingApproval(latest)?.approvalId === approvalId && latest.checkpointId);

/** `resumed`: the escalate step of the history that recorded this approval's decision, when the history was searched. */
export function decideResume(approvalId: string, decisionEventId: string, latest: ThreadSnapshot, resumed?: ThreadSnapshot): ResumeDecision {
  const pending = pendingApproval(latest);
  if (pending?.approvalId === approvalId && latest.checkpointId) return { kind: 'resume', request: pending, fromCheckpointId: latest.checkpointId };
  const approval = resumed?.values.approval;
  if (resumed && approval?.approvalId === approvalId) {
    if (approval.decisionEventId === decisionEventId) return { kind: 'replay', snapshot: resumed };
    return { kind: 'refuse', reason: 'already_decided', decidedBy: approval.decidedBy, decision: approval.decision };
  }
  return { kind: 'refuse', reason: 'unknown_approval' };
}

/** Is this the escalate step that recorded a decision on `approvalId`? */
export const isDecisionOf = (approvalId: string) => (snapshot: ThreadSnapshot) => snapshot.values.lastStep?.node === 'escalate' && snapshot.values.approval?.approvalId === approvalId;
