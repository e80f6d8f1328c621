import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import type { CheckpointList, CheckpointState } from '../api/types.js';

export type CheckpointListState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly list: CheckpointList }
  | { readonly status: 'error'; readonly error: ApiError };

export type StateEntry =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly state: CheckpointState }
  /** 404: the checkpoint is not (or no longer) there, e.g. pruned. */
  | { readonly status: 'missing' }
  | { readonly status: 'error'; readonly error: ApiError };

const asApiError = (error: unknown): ApiError => (error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)));
const base = (conversationId: string) => `/v1/conversations/${encodeURIComponent(conversationId)}/checkpoints`;

/** GET /v1/conversations/{id}/checkpoints?limit=: the thread's checkpoints, oldest first, without their state. */
export function useCheckpointList(conversationId: string, limit: number): CheckpointListState {
  const [loaded, setLoaded] = useState<{ readonly key: string; readonly state: CheckpointListState } | undefined>(undefined);
  const key = `${conversationId}\n${limit}`;
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<CheckpointList>(`${base(conversationId)}?limit=${limit}`, { signal: controller.signal })
      .then((list) => setLoaded({ key: `${conversationId}\n${limit}`, state: { status: 'ready', list } }))
      .catch((error: unknown) => {
        if (!isAbort(error)) setLoaded({ key: `${conversationId}\n${limit}`, state: { status: 'error', error: asApiError(error) } });
      });
    return () => controller.abort();
  }, [conversationId, limit]);
  return loaded?.key === key ? loaded.state : { status: 'loading' };
}

interface Batch {
  readonly conversationId: string;
  readonly requested: Set<string>;
  readonly controller: AbortController;
}

/**
 * The graph state at each wanted checkpoint (GET …/checkpoints/{id}), each read once and kept:
 * stepping back and forth through time reads nothing twice. `retry` reads a failed one again.
 */
export function useCheckpointStates(conversationId: string, wanted: readonly string[]): { readonly states: ReadonlyMap<string, StateEntry>; readonly retry: (checkpointId: string) => void } {
  const [loaded, setLoaded] = useState<{ readonly conversationId: string; readonly entries: ReadonlyMap<string, StateEntry> }>({ conversationId, entries: new Map() });
  const [attempt, setAttempt] = useState(0);
  const batch = useRef<Batch | undefined>(undefined);
  const key = wanted.join('\n');

  useEffect(
    () => () => {
      batch.current?.controller.abort();
      batch.current = undefined;
    },
    [],
  );

  useEffect(() => {
    if (batch.current?.conversationId !== conversationId) {
      batch.current?.controller.abort();
      batch.current = { conversationId, requested: new Set(), controller: new AbortController() };
    }
    const current = batch.current;
    const put = (checkpointId: string, entry: StateEntry) =>
      setLoaded((known) => ({ conversationId, entries: new Map(known.conversationId === conversationId ? known.entries : []).set(checkpointId, entry) }));
    for (const checkpointId of key.split('\n')) {
      if (checkpointId === '' || current.requested.has(checkpointId)) continue;
      current.requested.add(checkpointId);
      api
        .get<CheckpointState>(`${base(conversationId)}/${encodeURIComponent(checkpointId)}`, { signal: current.controller.signal })
        .then((state) => put(checkpointId, { status: 'ready', state }))
        .catch((error: unknown) => {
          if (isAbort(error)) return;
          const apiError = asApiError(error);
          put(checkpointId, apiError.status === 404 ? { status: 'missing' } : { status: 'error', error: apiError });
        });
    }
  }, [conversationId, key, attempt]);

  const retry = useCallback((checkpointId: string) => {
    batch.current?.requested.delete(checkpointId);
    setLoaded((known) => {
      const entries = new Map(known.entries);
      entries.delete(checkpointId);
      return { ...known, entries };
    });
    setAttempt((count) => count + 1);
  }, []);

  const entries = loaded.conversationId === conversationId ? loaded.entries : new Map<string, StateEntry>();
  return { states: entries, retry };
}
