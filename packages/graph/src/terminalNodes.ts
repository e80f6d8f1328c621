import { interrupt } from '@langchain/langgraph';
import { stableId } from '@supportstream/events';
import type { NodeImplementation, NodeImplementations } from './nodes.js';
import { currentRunId, runStartedAtOf, type ApprovalState } from './state.js';

/** The value the approvals service resumes an escalated run with (`Command({ resume })`). */
export interface ApprovalResume {
  readonly decision: 'APPROVED' | 'REJECTED' | 'EDITED' | 'EXPIRED';
  readonly decidedBy: string;
  readonly comment: string | null;
  readonly editedReply: string | null;
  readonly decisionEventId: string;
}

/** The interrupt payload: what a supervisor needs to decide. Becomes ApprovalRequested. */
export interface ApprovalRequest {
  readonly approvalId: string;
  readonly reason: string;
  readonly risk: ApprovalState['risk'];
  readonly riskScore: number;
  readonly proposedReply: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
}

export interface TerminalNodeOptions {
  /** How long a supervisor has to decide. */
  readonly approvalTtlMs: number;
  readonly handoffReply?: string;
  readonly fallbackReply?: string;
  readonly holdingReply?: string;
}

const HANDOFF_REPLY = "Thank you for your patience. I've passed your conversation to a member of our support team, who will get back to you shortly.";
const FALLBACK_REPLY =
  "I'm sorry, but I can't respond to messages like this one. If you need help with an order, your account or anything else, please describe the problem and we'll be glad to help.";
const HOLDING_REPLY = "Thank you for your message. We're reviewing your request and will follow up with you shortly.";

/**
 * Escalation pauses the run with interrupt(): the request's time is taken from the previous
 * step, not the clock, so the payload is identical however often the step is re-run.
 */
function escalateNode(options: TerminalNodeOptions): NodeImplementation {
  return (state, context) => {
    const previous = state.lastStep;
    const requestedAt = new Date(Date.parse(previous?.startedAt ?? runStartedAtOf(state)) + (previous?.durationMs ?? 0));
    const request: ApprovalRequest = {
      approvalId: stableId(context.threadId, currentRunId(state), 'approval', String(state.solutionAttempts)),
      reason: state.risk?.reasons.join('; ') || 'needs a supervisor',
      risk: state.risk?.risk ?? 'HIGH',
      riskScore: state.risk?.riskScore ?? 1,
      proposedReply: state.draft?.reply ?? '',
      requestedAt: requestedAt.toISOString(),
      expiresAt: new Date(requestedAt.getTime() + options.approvalTtlMs).toISOString(),
    };
    const resume = interrupt<ApprovalRequest, ApprovalResume>(request);
    const approval: ApprovalState = { ...request, ...resume };
    return Promise.resolve({
      update: { approval },
      summary: `${resume.decision.toLowerCase()} by ${resume.decidedBy}`,
      output: { approvalId: request.approvalId, decision: resume.decision },
    });
  };
}

function respondNode(options: TerminalNodeOptions): NodeImplementation {
  return (state) => {
    const approval = state.approval;
    const expired = approval?.decision === 'EXPIRED';
    const reply = expired ? (options.holdingReply ?? HOLDING_REPLY) : (approval?.editedReply ?? state.draft?.reply ?? options.holdingReply ?? HOLDING_REPLY);
    const citations = expired ? [] : (state.draft?.citations ?? []);
    const titles = new Map(state.sources.map((source) => [source.id, source.title]));
    const at = state.lastStep ? new Date(Date.parse(state.lastStep.startedAt) + state.lastStep.durationMs).toISOString() : runStartedAtOf(state);
    return Promise.resolve({
      update: {
        finalReply: reply,
        finalCitations: citations.map((sourceId) => ({ sourceId, title: titles.get(sourceId) ?? sourceId })),
        outcome: approval && approval.decision !== 'EXPIRED' ? 'RESOLVED_AFTER_APPROVAL' : 'RESOLVED',
        proposedActions: expired ? [] : state.proposedActions,
        messages: [{ role: 'agent', text: reply, at, requestId: state.request?.requestId ?? '' }],
      },
      summary: `replied${citations.length > 0 ? ` citing ${citations.join(', ')}` : ''}`,
      output: { citations },
    });
  };
}

function closingNode(reply: string, outcome: 'HANDED_OFF' | 'FALLBACK', summary: string): NodeImplementation {
  return (state) => {
    const at = state.lastStep ? new Date(Date.parse(state.lastStep.startedAt) + state.lastStep.durationMs).toISOString() : runStartedAtOf(state);
    return Promise.resolve({
      update: { finalReply: reply, finalCitations: [], outcome, proposedActions: [], messages: [{ role: 'agent', text: reply, at, requestId: state.request?.requestId ?? '' }] },
      summary,
      output: { outcome },
    });
  };
}

/** The nodes that need no model: escalation (human in the loop) and the three ways a run ends. */
export function terminalNodes(options: TerminalNodeOptions): Required<Pick<NodeImplementations, 'escalate' | 'respond' | 'handoff' | 'fallback'>> {
  return {
    escalate: escalateNode(options),
    respond: respondNode(options),
    handoff: closingNode(options.handoffReply ?? HANDOFF_REPLY, 'HANDED_OFF', 'handed off to a human agent'),
    fallback: closingNode(options.fallbackReply ?? FALLBACK_REPLY, 'FALLBACK', 'sent the fallback reply'),
  };
}
