import { randomBytes } from 'node:crypto';
import { ConfigError } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import { assertMasterKeys, generateMasterKey, parseMasterKeys } from './masterKeys.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('parseMasterKeys', () => {
  it('reads id:base64 entries, the first one current', () => {
    const keys = parseMasterKeys(`k2:${k2.toString('base64')}, k1:${k1.toString('base64url')}`);
    expect(keys.current).toBe('k2');
    expect(Object.keys(keys.keys)).toEqual(['k2', 'k1']);
    expect(keys.keys['k2']?.equals(k2)).toBe(true);
    expect(keys.keys['k1']?.equals(k1)).toBe(true);
  });

  it('accepts what generateMasterKey writes', () => {
    const entry = generateMasterKey('2026-01');
    const keys = parseMasterKeys(entry);
    expect(keys.current).toBe('2026-01');
    expect(keys.keys['2026-01']?.length).toBe(32);
  });

  it.each([
    ['', /no master key/],
    [undefined, /no master key/],
    [`${k1.toString('base64')}`, /entry 1 has no valid key id/],
    [`k1:${randomBytes(16).toString('base64')}`, /the key "k1" decodes to 16 bytes; it must be 32/],
    ['k1:not base64!', /the key "k1" is not base64/],
    [`k1:${k1.toString('base64')},k1:${k2.toString('base64')}`, /"k1" is listed twice/],
    [`k1:${k1.toString('base64')},`, /entry 2 has no valid key id/],
    [`__proto__:${k1.toString('base64')}`, /entry 1 has no valid key id/],
  ])('refuses %s with a ConfigError that names the variable and not the key', (value, message) => {
    let error: unknown;
    try {
      parseMasterKeys(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^PRIVACY_MASTER_KEYS: /);
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).message).not.toContain(k1.toString('base64'));
  });

  it('names another variable when told to', () => {
    expect(() => parseMasterKeys('', 'TEST_KEYS')).toThrow(/^TEST_KEYS: no master key/);
  });
});

describe('assertMasterKeys', () => {
  it('refuses a current key that is not listed and keys of the wrong size', () => {
    expect(() => assertMasterKeys({ current: 'k3', keys: { k1 } })).toThrow(/"k3" is not among/);
    expect(() => assertMasterKeys({ current: 'k1', keys: { k1: randomBytes(31) } })).toThrow(/31 bytes/);
    expect(() => assertMasterKeys({ current: 'k1', keys: { k1 } })).not.toThrow();
  });
});
