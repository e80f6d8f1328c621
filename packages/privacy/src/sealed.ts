import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidInputError } from '@supportstream/errors';

/**
 * The sealed-value format: `enc:v1:<keyId>:<base64url(iv ‖ tag ‖ ciphertext)>`.
 * AES-256-GCM, a random 12-byte IV per value, a 16-byte tag, the plaintext as UTF-8. The
 * additional authenticated data is `fieldAad(tenantId, customerId, keyId)`, so a value only opens
 * for the tenant and customer it was sealed for.
 */
export const SEALED_PREFIX = 'enc:v1:';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** Data key ids: 12 random bytes in base64url, 16 characters, never a `:`. */
const KEY_ID = /^[A-Za-z0-9_-]{16}$/;
// 38 characters at least: an empty plaintext still has its IV and tag (28 bytes).
const SEALED = /^enc:v1:([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{38,})$/;

export interface SealedParts {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** Whether a value has the sealed format (it is not decrypted, so this says nothing of its key). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX) && SEALED.test(value);
}

export function newKeyId(): string {
  return randomBytes(12).toString('base64url');
}

export function isKeyId(value: string): boolean {
  return KEY_ID.test(value);
}

/** The additional authenticated data of a sealed field; JSON keeps the parts unambiguous. */
export function fieldAad(tenantId: string, customerId: string, keyId: string): Buffer {
  return Buffer.from(JSON.stringify(['supportstream.privacy.field.v1', tenantId, customerId, keyId]), 'utf8');
}

/** The additional authenticated data of a wrapped data key. */
export function wrapAad(tenantId: string, customerId: string, keyId: string, masterKeyId: string): Buffer {
  const parts = ['supportstream.privacy.key.v1', tenantId, customerId, keyId, masterKeyId];
  return Buffer.from(JSON.stringify(parts), 'utf8');
}

/** AES-256-GCM: iv ‖ tag ‖ ciphertext. */
export function encryptBytes(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** The inverse of `encryptBytes`; undefined when the tag does not match (tampered, wrong key or wrong AAD). */
export function decryptBytes(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function sealWithKey(key: Buffer, keyId: string, aad: Buffer, plaintext: string): string {
  return `${SEALED_PREFIX}${keyId}:${encryptBytes(key, Buffer.from(plaintext, 'utf8'), aad).toString('base64url')}`;
}

/** Splits a sealed value; an InvalidInputError when it does not have the format. */
export function parseSealed(value: string): SealedParts {
  const match = SEALED.exec(value);
  const payload = match === null ? undefined : Buffer.from(match[2] ?? '', 'base64url');
  // Only the canonical encoding: a value that decodes to the same bytes but reads differently is not ours.
  const canonical = payload !== undefined && payload.toString('base64url') === match?.[2];
  if (match === null || payload === undefined || !canonical || payload.length < IV_BYTES + TAG_BYTES) {
    const message = `not a sealed value (expected ${SEALED_PREFIX}<keyId>:<base64url>)`;
    throw new InvalidInputError('PRIVACY_SEALED_MALFORMED', message);
  }
  return {
    keyId: match[1] ?? '',
    iv: payload.subarray(0, IV_BYTES),
    tag: payload.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    ciphertext: payload.subarray(IV_BYTES + TAG_BYTES),
  };
}

/** Opens a sealed value with its data key; an InvalidInputError when it was altered or the AAD differs. */
export function openWithKey(key: Buffer, parts: SealedParts, aad: Buffer): string {
  const plaintext = decryptBytes(key, Buffer.concat([parts.iv, parts.tag, parts.ciphertext]), aad);
  if (plaintext === undefined) {
    throw new InvalidInputError(
      'PRIVACY_SEALED_TAMPERED',
      `sealed value under data key ${parts.keyId} does not authenticate: ` +
        'it was altered, or it belongs to another tenant or customer',
      { details: { keyId: parts.keyId } },
    );
  }
  return plaintext.toString('utf8');
}
