import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fieldAad, isSealed, newKeyId, openWithKey, parseSealed, sealWithKey } from './sealed.js';

const key = randomBytes(32);
const keyId = newKeyId();
const aad = fieldAad('tenant-a', 'cust-42', keyId);

/** The sealed value with one character of its payload changed. */
function tamper(sealed: string): string {
  const at = sealed.length - 10;
  const changed = sealed[at] === 'A' ? 'B' : 'A';
  return `${sealed.slice(0, at)}${changed}${sealed.slice(at + 1)}`;
}

describe('sealed values', () => {
  it('round-trip text, Unicode and the empty string', () => {
    for (const plaintext of ['4242 4242 4242 4242', 'Jürgen Müller, 12 rue de la Paix 🏠', '']) {
      const sealed = sealWithKey(key, keyId, aad, plaintext);
      expect(sealed.startsWith(`enc:v1:${keyId}:`)).toBe(true);
      expect(isSealed(sealed)).toBe(true);
      expect(openWithKey(key, parseSealed(sealed), aad)).toBe(plaintext);
    }
  });

  it('never seal the same text twice the same way, and do not show it', () => {
    const first = sealWithKey(key, keyId, aad, 'jane@example.com');
    const second = sealWithKey(key, keyId, aad, 'jane@example.com');
    expect(first).not.toBe(second);
    expect(first).not.toContain('jane');
  });

  it('refuse a changed payload, another key and another tenant or customer', () => {
    const sealed = sealWithKey(key, keyId, aad, 'secret');
    expect(() => openWithKey(key, parseSealed(tamper(sealed)), aad)).toThrow(/does not authenticate/);
    expect(() => openWithKey(randomBytes(32), parseSealed(sealed), aad)).toThrow(/does not authenticate/);
    const otherTenant = fieldAad('tenant-b', 'cust-42', keyId);
    const otherCustomer = fieldAad('tenant-a', 'cust-7', keyId);
    expect(() => openWithKey(key, parseSealed(sealed), otherTenant)).toThrow(/another tenant or customer/);
    expect(() => openWithKey(key, parseSealed(sealed), otherCustomer)).toThrow(/another tenant or customer/);
  });

  it('bind the tenant and the customer without ambiguity', () => {
    expect(fieldAad('a:b', 'c', keyId).equals(fieldAad('a', 'b:c', keyId))).toBe(false);
  });

  it('tell sealed values from everything else', () => {
    const sealed = sealWithKey(key, keyId, aad, 'x');
    expect(isSealed(sealed)).toBe(true);
    const payload = 'A'.repeat(40);
    const shortPayload = payload.slice(3);
    const others = ['enc:v1:bad:AAAA', `enc:v2:${keyId}:${payload}`, `enc:v1:${keyId}:${shortPayload}`, 'x', 42, null];
    for (const value of others) {
      expect(isSealed(value)).toBe(false);
    }
    expect(() => parseSealed('plain text')).toThrow(expect.objectContaining({ code: 'PRIVACY_SEALED_MALFORMED' }));
    // The same bytes written with other trailing bits: not the canonical encoding.
    const lastChar = sealed.at(-1) === 'A' ? 'B' : 'A';
    const reencoded = `${sealed.slice(0, -1)}${lastChar}`;
    expect(() => openWithKey(key, parseSealed(reencoded), aad)).toThrow(/does not authenticate|not a sealed value/);
  });
});
