// The gateway's HTTP API, same origin. The session cookie travels by itself (HttpOnly: this code
// never sees it); unsafe methods send the CSRF header the gateway asks of cookie-authenticated calls.

export const CSRF_HEADER = 'X-SupportStream-CSRF';

/** A failed call, with the gateway's error code and message (`{error: {code, message, requestId}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isConflict(): boolean {
    return this.status === 409;
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever a call answers 401 (the session ended): the app goes back to sign-in. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/** Tells the app the session ended (for calls made without `request`, such as event streams). */
export function announceUnauthenticated(): void {
  for (const listener of unauthenticatedListeners) listener();
}

interface ErrorBody {
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly requestId?: unknown };
}

/** The ApiError of a non-2xx answer: the gateway's message if it sent one, else the status. */
export async function errorOf(response: Response): Promise<ApiError> {
  let body: ErrorBody | undefined;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  const message = typeof error?.message === 'string' ? error.message : `the gateway answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`, message, typeof error?.requestId === 'string' ? error.requestId : undefined);
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Do not announce a 401 (sign-in and the first session check handle it themselves). */
  readonly quiet401?: boolean;
  /**
   * Authenticate with this bearer token instead of the session cookie (the customer chat): no
   * cookie is sent, so no CSRF header is needed, and a 401 is the caller's alone (it does not
   * end the console's session).
   */
  readonly bearer?: string;
  /** More request headers (such as Idempotency-Key). */
  readonly headers?: Readonly<Record<string, string>>;
}

const SAFE = new Set(['GET', 'HEAD']);

/** How a call authenticates: the session cookie (same origin), or a bearer token and no cookie at all. */
export function authOf(bearer: string | undefined): { readonly headers: Record<string, string>; readonly credentials: RequestCredentials } {
  return bearer === undefined ? { headers: {}, credentials: 'same-origin' } : { headers: { authorization: `Bearer ${bearer}` }, credentials: 'omit' };
}

/** One call; resolves with the JSON body (undefined for 204), rejects with an ApiError. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const auth = authOf(options.bearer);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...auth.headers };
  if (!SAFE.has(method) && options.bearer === undefined) headers[CSRF_HEADER] = '1';
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: auth.credentials,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'the gateway could not be reached; check your connection and retry');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && options.quiet401 !== true && options.bearer === undefined) announceUnauthenticated();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>) => request<T>('POST', path, { ...options, body }),
  delete: <T = void>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('DELETE', path, options),
};

export const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';
