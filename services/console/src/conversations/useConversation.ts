import { useEffect, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import { FINAL_STATUSES, type Conversation } from '../api/types.js';

export type ConversationState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly conversation: Conversation }
  | { readonly status: 'error'; readonly error: ApiError; readonly conversation?: Conversation };

/**
 * GET /v1/conversations/{id}; with `pollMs`, again every so often until the conversation reaches a
 * final status (RESOLVED, RESOLVED_AFTER_APPROVAL, HANDED_OFF, FALLBACK, FAILED) or `maxMs` passes.
 */
export function useConversation(conversationId: string, options: { readonly pollMs?: number; readonly maxMs?: number } = {}): ConversationState {
  const [state, setState] = useState<ConversationState>({ status: 'loading' });
  const { pollMs, maxMs = 10 * 60_000 } = options;

  useEffect(() => {
    const controller = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: Conversation | undefined;
    const load = async () => {
      try {
        last = await api.get<Conversation>(`/v1/conversations/${encodeURIComponent(conversationId)}`, { signal: controller.signal });
        setState({ status: 'ready', conversation: last });
      } catch (error) {
        if (isAbort(error)) return;
        setState({ status: 'error', error: error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)), ...(last === undefined ? {} : { conversation: last }) });
        if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 404)) return;
      }
      const done = last !== undefined && last.status !== null && FINAL_STATUSES.has(last.status);
      if (pollMs !== undefined && !done && Date.now() - started < maxMs && !controller.signal.aborted) timer = setTimeout(() => void load(), pollMs);
    };
    void load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [conversationId, pollMs, maxMs]);

  return state;
}
