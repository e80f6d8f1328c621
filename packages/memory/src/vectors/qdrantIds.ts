import { createHash } from 'node:crypto';

// A fixed namespace for this platform's point ids (RFC 9562 name-based UUIDs need one).
const NAMESPACE = Buffer.from('5b6e2c1a8f0d4e3b9a7c2d1e0f4a6b8c', 'hex');

/**
 * Qdrant accepts only unsigned integers and UUIDs as point ids. String ids are mapped to a
 * version-5 (SHA-1, name-based) UUID, so the same id always lands on the same point and an upsert
 * replaces it; the original id is kept in the payload.
 */
export function pointIdFor(id: string): string {
  return uuidV5(id, NAMESPACE);
}

/** RFC 9562 version-5 UUID of `name` in `namespace` (16 bytes). */
export function uuidV5(name: string, namespace: Uint8Array): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
