import { TransientError } from '@supportstream/errors';
import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type CryptoKey, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { isRole, type Principal } from './principal.js';

/** Algorithms a deployment may pin. `none` is not among them, and jose refuses it regardless. */
export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtSettings {
  /** Only these `alg` values are accepted; any other (and `none`) is refused before the key is looked up. */
  readonly algorithms: readonly JwtAlgorithm[];
  /** Shared secret for HS* (at least 32 characters). */
  readonly secret?: string;
  /** SPKI PEM public key for RS*, PS*, ES*, EdDSA. */
  readonly publicKeyPem?: string;
  /** Or a JWKS endpoint (keys cached and refreshed by jose). */
  readonly jwksUrl?: string;
  readonly issuer: string;
  readonly audience: string;
  readonly tenantClaim: string;
  readonly roleClaim: string;
  readonly clockToleranceSeconds: number;
}

/** Why a credential was refused: the reason is a metric label, the message goes to the client. */
export class AuthenticationError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export type JwtVerifier = (token: string) => Promise<Principal>;

const isHmac = (alg: string | undefined): boolean => alg?.startsWith('HS') === true;

function describeFailure(error: unknown): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new AuthenticationError('claims', `the token's "${error.claim}" claim is ${error.reason === 'missing' ? 'missing' : 'not accepted'}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('algorithm', 'the token is signed with an algorithm this gateway does not accept');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('signature', 'the token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('signature', 'the token was signed with an unknown key');
  if (error instanceof errors.JOSEError) return new AuthenticationError('malformed', 'the token is malformed');
  return new AuthenticationError('malformed', 'the token could not be verified');
}

/**
 * Verifies bearer JWTs: algorithm pinned, signature, `iss`, `aud`, `exp` (required) and `nbf`
 * with a small clock tolerance, then reads `sub`, the tenant claim and the role claim.
 */
export function createJwtVerifier(settings: JwtSettings, clock: () => Date = () => new Date()): JwtVerifier {
  const secret = settings.secret === undefined ? undefined : new TextEncoder().encode(settings.secret);
  const jwks = settings.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000 });
  const publicKeys = new Map<string, Promise<CryptoKey>>();

  async function keyFor(header: JWSHeaderParameters, token: Parameters<NonNullable<typeof jwks>>[1]): Promise<CryptoKey | Uint8Array> {
    // jose has already refused algorithms outside `algorithms`; an HMAC token never meets a public key.
    if (isHmac(header.alg)) {
      if (secret === undefined) throw new AuthenticationError('algorithm', 'the token is signed with an algorithm this gateway does not accept');
      return secret;
    }
    if (jwks !== undefined) return jwks(header, token);
    if (settings.publicKeyPem === undefined) throw new AuthenticationError('algorithm', 'the token is signed with an algorithm this gateway does not accept');
    const alg = header.alg ?? '';
    let key = publicKeys.get(alg);
    if (key === undefined) {
      key = importSPKI(settings.publicKeyPem, alg);
      publicKeys.set(alg, key);
      key.catch(() => publicKeys.delete(alg));
    }
    return key;
  }

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keyFor, {
        algorithms: [...settings.algorithms],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: settings.clockToleranceSeconds,
        currentDate: clock(),
      }));
    } catch (error) {
      // The key server not answering is not the caller's fault: a 503, not a 401.
      if (error instanceof errors.JWKSTimeout) throw new TransientError('JWKS_UNAVAILABLE', 'the token keys (JWKS) could not be fetched', { cause: error });
      throw describeFailure(error);
    }
    const tenant = payload[settings.tenantClaim];
    const role = payload[settings.roleClaim];
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new AuthenticationError('claims', 'the token has no subject');
    if (typeof tenant !== 'string' || tenant.length === 0) throw new AuthenticationError('claims', `the token has no "${settings.tenantClaim}" claim`);
    if (!isRole(role)) throw new AuthenticationError('claims', `the token's "${settings.roleClaim}" claim must be customer, service, supervisor or admin`);
    return { kind: 'jwt', subject: payload.sub, tenantId: tenant, role, credentialId: `jwt:${tenant}:${payload.sub}`, rateLimitPerMinute: null };
  };
}
