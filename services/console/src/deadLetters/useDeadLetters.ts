import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import type { DeadLetterList } from '../api/types.js';

export type DeadLettersState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly list: DeadLetterList }
  /** The gateway's 403: the caller is not an admin. */
  | { readonly status: 'forbidden'; readonly error: ApiError }
  | { readonly status: 'error'; readonly error: ApiError };

interface Loaded {
  readonly topic: string | null;
  readonly version: number;
  readonly state: DeadLettersState;
}

export const DEAD_LETTER_LIMIT = 200;

const asApiError = (error: unknown): ApiError => (error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)));

/**
 * GET /v1/admin/dead-letters (one topic, or all), newest first. `refresh` reads it again and keeps
 * the list on screen meanwhile (`refreshing`); another topic shows `loading` until it is read.
 */
export function useDeadLetters(topic: string | null): DeadLettersState & { readonly refreshing: boolean; readonly refresh: () => void } {
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const query = new URLSearchParams({ limit: String(DEAD_LETTER_LIMIT) });
    if (topic !== null) query.set('topic', topic);
    api
      .get<DeadLetterList>(`/v1/admin/dead-letters?${query.toString()}`, { signal: controller.signal })
      .then((list) => setLoaded({ topic, version, state: { status: 'ready', list } }))
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        const apiError = asApiError(error);
        setLoaded({ topic, version, state: apiError.status === 403 ? { status: 'forbidden', error: apiError } : { status: 'error', error: apiError } });
      });
    return () => controller.abort();
  }, [topic, version]);

  const refresh = useCallback(() => setVersion((current) => current + 1), []);
  if (loaded === undefined || loaded.topic !== topic) return { status: 'loading', refreshing: false, refresh };
  return { ...loaded.state, refreshing: loaded.version !== version, refresh };
}
