// The approval queue as a pure reducer: list answers and stream messages go through it alike.
import type { Approval } from '../api/types.js';
import type { ApiError } from '../api/client.js';

export interface QueueState {
  readonly status: 'loading' | 'ready' | 'error';
  /** Pending approvals by id, oldest request first when listed. */
  readonly pending: ReadonlyMap<string, Approval>;
  readonly truncated: boolean;
  readonly error?: ApiError;
}

export type QueueAction =
  /** A list answer (GET /v1/approvals); the hook drops one that a stream message overtook. */
  | { readonly type: 'listed'; readonly approvals: readonly Approval[] }
  /** The stream's `snapshot`. */
  | { readonly type: 'snapshot'; readonly approvals: readonly Approval[]; readonly truncated: boolean }
  | { readonly type: 'requested'; readonly approval: Approval }
  /** `decided` or `expired`: the approval left the queue. */
  | { readonly type: 'closed'; readonly approvalId: string }
  | { readonly type: 'failed'; readonly error: ApiError };

export const initialQueue: QueueState = { status: 'loading', pending: new Map(), truncated: false };

const byRequest = (approvals: Iterable<Approval>): Map<string, Approval> =>
  new Map([...approvals].sort((a, b) => (a.requestedAt ?? '').localeCompare(b.requestedAt ?? '') || a.approvalId.localeCompare(b.approvalId)).map((approval) => [approval.approvalId, approval]));

export function queueReducer(state: QueueState, action: QueueAction): QueueState {
  switch (action.type) {
    case 'listed':
      return { status: 'ready', pending: byRequest(action.approvals.filter((approval) => approval.status === 'PENDING')), truncated: state.truncated };
    case 'snapshot':
      return { status: 'ready', pending: byRequest(action.approvals), truncated: action.truncated };
    case 'requested':
      return { status: 'ready', pending: byRequest([...state.pending.values(), action.approval]), truncated: state.truncated };
    case 'closed': {
      const pending = new Map(state.pending);
      pending.delete(action.approvalId);
      return { ...state, pending };
    }
    case 'failed':
      // Keep what is shown; say it may be stale.
      return { ...state, status: state.status === 'loading' ? 'error' : state.status, error: action.error };
    default: {
      const unknown: never = action;
      return unknown;
    }
  }
}
