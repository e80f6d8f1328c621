import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import type { Overview, OverviewWindow } from '../api/types.js';

/** The figures are re-read this often while the page is open (and visible). */
export const REFRESH_MS = 15_000;

export interface OverviewState {
  readonly status: 'loading' | 'ready' | 'error';
  /** The last answer for the selected window; kept while a refresh runs and after one failed. */
  readonly overview: Overview | undefined;
  /** The last failure; with `overview` set, the figures shown are from before it. */
  readonly error: ApiError | undefined;
  readonly refreshing: boolean;
  readonly refresh: () => void;
}

interface Loaded {
  readonly window: OverviewWindow;
  readonly overview: Overview | undefined;
  readonly error: ApiError | undefined;
}

const asApiError = (error: unknown): ApiError => (error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)));

/**
 * GET /v1/overview for the selected window, re-read every REFRESH_MS (skipped while the tab is
 * hidden) and on demand. Another window starts from a loading state; a failed refresh keeps the
 * figures shown and says so.
 */
export function useOverview(selected: OverviewWindow, options: { readonly refreshMs?: number } = {}): OverviewState {
  const refreshMs = options.refreshMs ?? REFRESH_MS;
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [refreshing, setRefreshing] = useState(false);
  const inFlight = useRef<AbortController | undefined>(undefined);

  const fetchOverview = useCallback(() => {
    if (inFlight.current !== undefined) return;
    const controller = new AbortController();
    inFlight.current = controller;
    api
      .get<Overview>(`/v1/overview?window=${encodeURIComponent(selected)}`, { signal: controller.signal })
      .then((overview) => setLoaded({ window: selected, overview, error: undefined }))
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        setLoaded((current) => ({ window: selected, overview: current?.window === selected ? current.overview : undefined, error: asApiError(error) }));
      })
      .finally(() => {
        if (inFlight.current !== controller) return;
        inFlight.current = undefined;
        setRefreshing(false);
      });
  }, [selected]);

  useEffect(() => {
    fetchOverview();
    const timer = setInterval(() => {
      if (document.visibilityState === 'hidden' || inFlight.current !== undefined) return;
      setRefreshing(true);
      fetchOverview();
    }, refreshMs);
    return () => {
      clearInterval(timer);
      inFlight.current?.abort();
      inFlight.current = undefined;
    };
  }, [fetchOverview, refreshMs]);

  const refresh = useCallback(() => {
    if (inFlight.current !== undefined) return;
    setRefreshing(true);
    fetchOverview();
  }, [fetchOverview]);

  const current = loaded?.window === selected ? loaded : undefined;
  const status = current?.overview !== undefined ? 'ready' : current?.error !== undefined ? 'error' : 'loading';
  return { status, overview: current?.overview, error: current?.error, refreshing, refresh };
}
