import { useCallback, useState } from 'react';
import { api, ApiError } from '../api/client.js';
import type { Approval, ApprovalDecision, DecisionAccepted } from '../api/types.js';

export interface DecisionInput {
  readonly decision: ApprovalDecision;
  readonly comment?: string;
  /** Required with EDITED: the reply to send instead of the proposed one. */
  readonly editedReply?: string;
}

/** What became of a decision made on this page. */
export type DecisionOutcome =
  | { readonly kind: 'sending'; readonly decision: ApprovalDecision }
  | { readonly kind: 'sent'; readonly decision: ApprovalDecision; readonly eventId: string; readonly at: number }
  /** 409: someone (or something) decided it first, or it expired. */
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string };

export interface DecidedHere {
  /** The approval as it was shown when decided (it leaves the pending queue soon after). */
  readonly approval: Approval;
  readonly outcome: DecisionOutcome;
}

/** The decisions made on this page, by approval id; each POSTs /v1/approvals/{id}/decision. */
export function useDecisions() {
  const [decisions, setDecisions] = useState<ReadonlyMap<string, DecidedHere>>(new Map());

  const set = useCallback((approval: Approval, outcome: DecisionOutcome) => {
    setDecisions((current) => new Map(current).set(approval.approvalId, { approval, outcome }));
  }, []);

  const decide = useCallback(
    async (approval: Approval, input: DecisionInput) => {
      set(approval, { kind: 'sending', decision: input.decision });
      const comment = input.comment?.trim();
      try {
        const accepted = await api.post<DecisionAccepted>(`/v1/approvals/${encodeURIComponent(approval.approvalId)}/decision`, {
          decision: input.decision,
          ...(comment === undefined || comment === '' ? {} : { comment }),
          ...(input.decision === 'EDITED' ? { editedReply: input.editedReply ?? '' } : {}),
        });
        set(approval, { kind: 'sent', decision: accepted.decision, eventId: accepted.eventId, at: Date.now() });
      } catch (error) {
        if (error instanceof ApiError && error.isConflict) set(approval, { kind: 'conflict', message: error.message });
        else set(approval, { kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    },
    [set],
  );

  const dismiss = useCallback((approvalId: string) => {
    setDecisions((current) => {
      const next = new Map(current);
      next.delete(approvalId);
      return next;
    });
  }, []);

  return { decisions, decide, dismiss };
}
