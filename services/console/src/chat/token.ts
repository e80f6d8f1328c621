// The customer chat's credential: a customer JWT, held in memory only (never localStorage, never a
// cookie). It arrives in the URL fragment (`#token=…`, which browsers never send to a server) or
// is pasted; the claims are decoded without verifying, to show who is writing. Only the gateway
// verifies the token.

export interface TokenClaims {
  readonly customerId: string | undefined;
  readonly tenantId: string | undefined;
  readonly role: string | undefined;
  /** `exp` as epoch milliseconds. */
  readonly expiresAt: number | undefined;
}

/** The `token` parameter of a fragment such as `#token=eyJ…`, or undefined. */
export function tokenFromFragment(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token')?.trim();
  return token === undefined || token === '' ? undefined : token;
}

/** Takes the fragment out of the address bar (and so out of the history entry) without a navigation. */
export function clearFragment(): void {
  const { pathname, search, hash } = window.location;
  if (hash !== '') window.history.replaceState(window.history.state, '', `${pathname}${search}`);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function base64UrlJson(part: string): unknown {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The claims of a JWT, read without verifying the signature (display only); undefined if it is not a JWT. */
export function decodeClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  let payload: unknown;
  try {
    payload = base64UrlJson(parts[1]);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const claims = payload as Record<string, unknown>;
  return {
    customerId: text(claims['sub']),
    tenantId: text(claims['tenant_id']),
    role: text(claims['role']),
    expiresAt: typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : undefined,
  };
}

/** Why a credential cannot be used here, before the gateway is asked (undefined: try it). */
export function credentialProblem(token: string, claims: TokenClaims | undefined, now: number): string | undefined {
  if (token.startsWith('sk_')) return 'That is an API key. The chat takes a customer token (a JWT); API keys are for services and the console.';
  if (claims === undefined) return 'That is not a token (a JWT has three parts separated by dots).';
  if (claims.role !== undefined && claims.role !== 'customer') return `This token is for the ${claims.role} role. The chat is for customers; staff sign in to the console.`;
  if (claims.expiresAt !== undefined && claims.expiresAt <= now) return 'This token has expired. Ask for a new one and paste it here.';
  return undefined;
}
