import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import { sampleApproval } from '../../test/fixtures.js';
import { initialQueue, queueReducer, type QueueAction, type QueueState } from './queue.js';

const given = (...actions: QueueAction[]): QueueState => actions.reduce(queueReducer, initialQueue);
const ids = (state: QueueState) => [...state.pending.keys()];

describe('the approval queue', () => {
  const a = sampleApproval('a', '2026-03-01T10:00:00Z');
  const b = sampleApproval('b', '2026-03-01T11:00:00Z');
  const c = sampleApproval('c', '2026-03-01T09:00:00Z');

  it('given a snapshot, when approvals are requested and closed, then it holds the pending ones, oldest request first', () => {
    const state = given({ type: 'snapshot', approvals: [b, a], truncated: false }, { type: 'requested', approval: c }, { type: 'closed', approvalId: 'b' });
    expect(state.status).toBe('ready');
    expect(ids(state)).toEqual(['c', 'a']);
  });

  it('a list answer keeps only pending approvals; a failure keeps what is shown and says why', () => {
    const listed = given({ type: 'listed', approvals: [a, sampleApproval('d', '2026-03-01T08:00:00Z', { status: 'APPROVED' })] });
    expect(ids(listed)).toEqual(['a']);
    const error = new ApiError(503, 'UNAVAILABLE', 'retry shortly');
    const failed = queueReducer(listed, { type: 'failed', error });
    expect(failed).toMatchObject({ status: 'ready', error });
    expect(ids(failed)).toEqual(['a']);
    expect(given({ type: 'failed', error }).status).toBe('error');
    // The next good answer clears the error.
    expect(queueReducer(failed, { type: 'listed', approvals: [] }).error).toBeUndefined();
  });

  it('a requested approval already held is replaced, not doubled', () => {
    const state = given({ type: 'snapshot', approvals: [a], truncated: true }, { type: 'requested', approval: { ...a, risk: 'CRITICAL' } });
    expect(ids(state)).toEqual(['a']);
    expect(state.pending.get('a')?.risk).toBe('CRITICAL');
    expect(state.truncated).toBe(true);
  });
});
