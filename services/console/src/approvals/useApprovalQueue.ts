import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import { openEventStream, type StreamState } from '../api/eventStream.js';
import type { Approval } from '../api/types.js';
import { initialQueue, queueReducer, type QueueState } from './queue.js';

export const STREAM_PATH = '/v1/approvals/stream';
export const LIST_PATH = '/v1/approvals?status=pending&limit=200';
/** Without the live stream (an older gateway, or while it reconnects): re-read this often. */
export const POLL_MS = 3_000;

/** How the queue stays current: the SSE stream, polling, or neither for now. */
export type LiveMode = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'stopped';

export interface ApprovalQueue extends QueueState {
  readonly live: LiveMode;
  readonly refresh: () => void;
}

/**
 * The tenant's pending approvals, live: GET /v1/approvals for the first answer, then the SSE
 * queue (`snapshot`, `requested`, `decided`, `expired`). Where the gateway has no stream (404) it
 * polls every few seconds instead, and while the stream reconnects it polls too.
 */
export function useApprovalQueue(options: { readonly pollMs?: number } = {}): ApprovalQueue {
  const pollMs = options.pollMs ?? POLL_MS;
  const [state, dispatch] = useReducer(queueReducer, initialQueue);
  const [live, setLive] = useState<LiveMode>('connecting');
  /** Stream messages seen: a list answer that one overtook is older than what is shown. */
  const streamMessages = useRef(0);
  const inFlight = useRef<AbortController | undefined>(undefined);

  const refresh = useCallback(() => {
    if (inFlight.current !== undefined) return;
    const controller = new AbortController();
    inFlight.current = controller;
    const startedAt = streamMessages.current;
    api
      .get<{ approvals: Approval[] }>(LIST_PATH, { signal: controller.signal })
      .then((body) => {
        if (streamMessages.current === startedAt) dispatch({ type: 'listed', approvals: body.approvals });
      })
      .catch((error: unknown) => {
        if (!isAbort(error)) dispatch({ type: 'failed', error: error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)) });
      })
      .finally(() => {
        if (inFlight.current === controller) inFlight.current = undefined;
      });
  }, []);

  useEffect(() => {
    refresh();
    const onState = (stream: StreamState) => {
      switch (stream.kind) {
        case 'connecting':
          break;
        case 'open':
          setLive('live');
          break;
        case 'retrying':
          setLive('reconnecting');
          refresh();
          break;
        case 'unsupported':
          setLive('polling');
          break;
        case 'closed':
          setLive('stopped');
          if (stream.error !== undefined) dispatch({ type: 'failed', error: stream.error });
          break;
        default: {
          const unknown: never = stream;
          return unknown;
        }
      }
    };
    const close = openEventStream({
      path: STREAM_PATH,
      onState,
      onMessage: (message) => {
        streamMessages.current += 1;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          refresh();
          return;
        }
        switch (message.event) {
          case 'snapshot': {
            const queue = data as { approvals: Approval[]; truncated?: boolean };
            dispatch({ type: 'snapshot', approvals: queue.approvals, truncated: queue.truncated === true });
            break;
          }
          case 'requested':
            dispatch({ type: 'requested', approval: data as Approval });
            break;
          case 'decided':
          case 'expired':
            dispatch({ type: 'closed', approvalId: (data as Approval).approvalId });
            break;
          default:
            // A message this console does not know: the list is the truth.
            refresh();
        }
      },
    });
    return () => {
      close();
      inFlight.current?.abort();
    };
  }, [refresh]);

  useEffect(() => {
    if (live !== 'polling' && live !== 'reconnecting') return undefined;
    const timer = setInterval(refresh, pollMs);
    return () => clearInterval(timer);
  }, [live, pollMs, refresh]);

  return { ...state, live, refresh };
}
