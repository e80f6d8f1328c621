import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import type { ConversationHistory, HistoryEntry } from '../api/types.js';

export const HISTORY_PAGE = 200;

export type HistoryState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly events: readonly HistoryEntry[]; readonly nextAfter: string | null; readonly loadingMore: boolean; readonly moreError?: ApiError }
  | { readonly status: 'error'; readonly error: ApiError };

const asApiError = (error: unknown): ApiError => (error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)));
const pagePath = (conversationId: string, after: string | null) =>
  `/v1/conversations/${encodeURIComponent(conversationId)}/history?limit=${HISTORY_PAGE}${after === null ? '' : `&after=${encodeURIComponent(after)}`}`;

/** GET /v1/conversations/{id}/history, a page at a time (`loadMore` reads the next one). A 404 is an error with status 404. */
export function useHistory(conversationId: string): HistoryState & { readonly loadMore: () => void } {
  const [loaded, setLoaded] = useState<{ readonly conversationId: string; readonly state: HistoryState } | undefined>(undefined);
  const controller = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    const current = new AbortController();
    controller.current = current;
    api
      .get<ConversationHistory>(pagePath(conversationId, null), { signal: current.signal })
      .then((page) => setLoaded({ conversationId, state: { status: 'ready', events: page.events, nextAfter: page.nextAfter, loadingMore: false } }))
      .catch((error: unknown) => {
        if (!isAbort(error)) setLoaded({ conversationId, state: { status: 'error', error: asApiError(error) } });
      });
    return () => current.abort();
  }, [conversationId]);

  const state: HistoryState = loaded?.conversationId === conversationId ? loaded.state : { status: 'loading' };
  const after = state.status === 'ready' && !state.loadingMore ? state.nextAfter : null;

  const loadMore = useCallback(() => {
    if (after === null) return;
    const update = (change: (ready: Extract<HistoryState, { status: 'ready' }>) => HistoryState) =>
      setLoaded((current) => (current?.conversationId === conversationId && current.state.status === 'ready' ? { conversationId, state: change(current.state) } : current));
    update((ready) => ({ ...ready, loadingMore: true }));
    api
      .get<ConversationHistory>(pagePath(conversationId, after), controller.current === undefined ? {} : { signal: controller.current.signal })
      .then((page) => update((ready) => ({ status: 'ready', events: [...ready.events, ...page.events], nextAfter: page.nextAfter, loadingMore: false })))
      .catch((error: unknown) => {
        if (!isAbort(error)) update((ready) => ({ ...ready, loadingMore: false, moreError: asApiError(error) }));
      });
  }, [conversationId, after]);

  return { ...state, loadMore };
}
