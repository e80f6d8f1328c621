import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthenticated } from '../api/client.js';
import type { SessionInfo } from '../api/types.js';

export type Credential = { readonly apiKey: string } | { readonly token: string };

export type SessionState =
  | { readonly status: 'checking' }
  | { readonly status: 'signedOut'; readonly notice?: string }
  | { readonly status: 'signedIn'; readonly session: SessionInfo };

export interface SessionApi {
  readonly state: SessionState;
  /** Rejects with the gateway's ApiError (401 bad credential, 403 customer, …). */
  readonly signIn: (credential: Credential) => Promise<void>;
  readonly signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

/**
 * Who is signed in. The credential goes to the gateway once, at sign-in, and comes back as an
 * HttpOnly session cookie that no script here can read; after a reload GET /v1/session says who
 * the cookie belongs to. Any 401 later (session expired, signed out elsewhere) signs the page out.
 */
export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'checking' });

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<SessionInfo>('/v1/session', { signal: controller.signal, quiet401: true })
      .then((session) => setState({ status: 'signedIn', session }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState(error instanceof ApiError && error.status !== 401 ? { status: 'signedOut', notice: `Could not check the session: ${error.message}` } : { status: 'signedOut' });
      });
    const stop = onUnauthenticated(() => setState({ status: 'signedOut', notice: 'Your session has ended. Sign in again.' }));
    return () => {
      controller.abort();
      stop();
    };
  }, []);

  const signIn = useCallback(async (credential: Credential) => {
    const session = await api.post<SessionInfo>('/v1/session', credential, { quiet401: true });
    setState({ status: 'signedIn', session });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.delete('/v1/session', { quiet401: true });
      setState({ status: 'signedOut', notice: 'You are signed out.' });
    } catch (error) {
      // 401: the session had already ended. Anything else: the cookie may still be valid; say so.
      const ended = error instanceof ApiError && error.status === 401;
      setState({ status: 'signedOut', notice: ended ? 'You are signed out.' : `Signed out on this page, but the gateway did not confirm it (${error instanceof Error ? error.message : String(error)}); it may stay open until it expires.` });
    }
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error('useSession outside SessionProvider');
  return value;
}
