import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataKeyStore } from '../src/dataKeyStore.js';
import { createKeyVault, isErased, type KeyVault } from '../src/keyVault.js';
import type { MasterKeys } from '../src/masterKeys.js';
import { parseSealed } from '../src/sealed.js';

export interface KeyVaultSubject {
  /**
   * The store as one process sees it. Each call may open a new connection pool, so two calls
   * play two processes that share only the database.
   */
  readonly openStore: () => DataKeyStore;
  readonly close?: () => Promise<void>;
}

const K1 = randomBytes(32);
const K2 = randomBytes(32);
const ONLY_K1: MasterKeys = { current: 'k1', keys: { k1: K1 } };
const ROTATED: MasterKeys = { current: 'k2', keys: { k2: K2, k1: K1 } };
const ONLY_K2: MasterKeys = { current: 'k2', keys: { k2: K2 } };
const TTL_MS = 5_000;

/** A clock the test moves: the cache's time to live passes without waiting for it. */
function testClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

let customerCounter = 0;
/** A customer id no other test uses, so tests share one store without seeing each other's keys. */
const newCustomer = () => `cust-${Date.now().toString(36)}-${++customerCounter}`;

/**
 * What every DataKeyStore adapter must give the key vault: round trips, one key per customer
 * when processes race, erasure seen at once here and after the cache TTL elsewhere, idempotent
 * erasure, and master key rotation. Run once per adapter.
 */
export function keyVaultContract(adapter: string, open: () => Promise<KeyVaultSubject>): void {
  describe(`KeyVault contract: ${adapter}`, () => {
    let subject: KeyVaultSubject;
    const clock = testClock();
    const vault = (masterKeys: MasterKeys = ONLY_K1, store: DataKeyStore = subject.openStore()): KeyVault =>
      createKeyVault({ store, masterKeys, cacheTtlMs: TTL_MS, now: clock.now });

    beforeAll(async () => {
      subject = await open();
    });
    afterAll(async () => {
      await subject.close?.();
    });

    it('seals and opens a value; the sealed text shows neither the value nor the ids', async () => {
      const customer = newCustomer();
      const keys = vault();
      const sealed = await keys.encrypt('tenant-a', customer, 'card 4242 4242 4242 4242 for Jane');
      expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
      expect(sealed).not.toContain('4242');
      expect(sealed).not.toContain(customer);
      expect(await keys.decrypt('tenant-a', customer, sealed)).toBe('card 4242 4242 4242 4242 for Jane');
      expect(await keys.encrypt('tenant-a', customer, '')).toMatch(/^enc:v1:/);
      expect(await keys.decrypt('tenant-a', customer, await keys.encrypt('tenant-a', customer, ''))).toBe('');
    });

    it('uses one key per customer and another for every other customer or tenant', async () => {
      const customer = newCustomer();
      const keys = vault();
      const first = parseSealed(await keys.encrypt('tenant-a', customer, 'one')).keyId;
      const second = parseSealed(await keys.encrypt('tenant-a', customer, 'two')).keyId;
      const otherCustomer = parseSealed(await keys.encrypt('tenant-a', newCustomer(), 'three')).keyId;
      const otherTenant = parseSealed(await keys.encrypt('tenant-b', customer, 'four')).keyId;
      expect(second).toBe(first);
      expect(new Set([first, otherCustomer, otherTenant]).size).toBe(3);
      expect((await subject.openStore().find('tenant-a', customer))?.keyId).toBe(first);
    });

    it('refuses a value of another tenant or customer, an altered value and clear text, with errors', async () => {
      const customer = newCustomer();
      const withKey = newCustomer();
      const keys = vault();
      const sealed = await keys.encrypt('tenant-a', customer, 'jane@example.com');
      await keys.encrypt('tenant-a', withKey, 'their own data');
      await expect(keys.decrypt('tenant-b', customer, sealed)).rejects.toMatchObject({ code: 'PRIVACY_KEY_MISMATCH' });
      await expect(keys.decrypt('tenant-a', withKey, sealed)).rejects.toMatchObject({ code: 'PRIVACY_KEY_MISMATCH' });
      // One character of the ciphertext changed (in the middle, where every bit of it counts).
      const at = sealed.length - 12;
      const altered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
      const tampered = { code: 'PRIVACY_SEALED_TAMPERED' };
      await expect(keys.decrypt('tenant-a', customer, altered)).rejects.toMatchObject(tampered);
      const malformed = { code: 'PRIVACY_SEALED_MALFORMED' };
      await expect(keys.decrypt('tenant-a', customer, 'jane@example.com')).rejects.toMatchObject(malformed);
      await expect(keys.encrypt('', customer, 'x')).rejects.toMatchObject({ code: 'PRIVACY_MISSING_ID' });
    });

    it('reveal opens sealed values and passes clear text through', async () => {
      const customer = newCustomer();
      const keys = vault();
      expect(await keys.reveal('tenant-a', customer, 'written before encryption')).toBe('written before encryption');
      const sealed = await keys.encrypt('tenant-a', customer, 'sealed');
      expect(await keys.reveal('tenant-a', customer, sealed)).toBe('sealed');
    });

    it('gives two processes racing on the first encryption the same key', async () => {
      const customers = Array.from({ length: 12 }, newCustomer);
      const a = vault();
      const b = vault();
      const sealed = await Promise.all(
        customers.map(async (customer) => {
          const [fromA, fromB] = await Promise.all([
            a.encrypt('tenant-a', customer, `a:${customer}`),
            b.encrypt('tenant-a', customer, `b:${customer}`),
          ]);
          return { customer, fromA, fromB };
        }),
      );
      const store = subject.openStore();
      for (const { customer, fromA, fromB } of sealed) {
        const stored = await store.find('tenant-a', customer);
        expect(parseSealed(fromA).keyId).toBe(stored?.keyId);
        expect(parseSealed(fromB).keyId).toBe(stored?.keyId);
        expect(await b.decrypt('tenant-a', customer, fromA)).toBe(`a:${customer}`);
        expect(await a.decrypt('tenant-a', customer, fromB)).toBe(`b:${customer}`);
      }
    });

    it('erases: ERASED at once in the erasing process, in another after its cache TTL', async () => {
      const customer = newCustomer();
      const eraser = vault();
      const other = vault();
      const sealed = await eraser.encrypt('tenant-a', customer, 'Jane Doe, 12 rue de la Paix');
      expect(await other.decrypt('tenant-a', customer, sealed)).toBe('Jane Doe, 12 rue de la Paix');

      const request = { by: 'operator:ana', reason: 'GDPR art. 17 request #991' };
      expect(await eraser.erase('tenant-a', customer, request)).toBe(true);
      const erased = await eraser.decrypt('tenant-a', customer, sealed);
      expect(isErased(erased)).toBe(true);
      expect(erased).toEqual({ erased: true, keyId: parseSealed(sealed).keyId });
      expect(await subject.openStore().find('tenant-a', customer)).toBeUndefined();

      // The other process still holds the unwrapped key until its cache entry expires.
      expect(await other.decrypt('tenant-a', customer, sealed)).toBe('Jane Doe, 12 rue de la Paix');
      clock.advance(TTL_MS + 1);
      expect(await other.decrypt('tenant-a', customer, sealed)).toEqual(erased);
      // A fresh process never had the key.
      expect(isErased(await vault().decrypt('tenant-a', customer, sealed))).toBe(true);
    });

    it('opens a value sealed with a newer key than the one this process has cached', async () => {
      const customer = newCustomer();
      const writer = vault();
      const reader = vault();
      expect(await reader.decrypt('tenant-a', customer, await writer.encrypt('tenant-a', customer, 'old'))).toBe('old');
      await writer.erase('tenant-a', customer, { by: 'cli', reason: 'request' });
      const newer = await writer.encrypt('tenant-a', customer, 'after the customer came back');
      expect(await reader.decrypt('tenant-a', customer, newer)).toBe('after the customer came back');
    });

    it('erases idempotently and logs every request without key material', async () => {
      const customer = newCustomer();
      const keys = vault();
      const sealed = await keys.encrypt('tenant-a', customer, 'x');
      const keyId = parseSealed(sealed).keyId;
      expect(await keys.erase('tenant-a', customer, { by: 'cli', reason: 'first' })).toBe(true);
      expect(await keys.erase('tenant-a', customer, { by: 'cli', reason: 'again' })).toBe(false);
      expect(isErased(await keys.decrypt('tenant-a', customer, sealed))).toBe(true);
      const log = await subject.openStore().erasures('tenant-a', customer);
      expect(log.map((entry) => [entry.keyId, entry.by, entry.reason])).toEqual([
        [keyId, 'cli', 'first'],
        [null, 'cli', 'again'],
      ]);
      expect(log.every((entry) => entry.erasedAt instanceof Date)).toBe(true);
      expect(await keys.erase('tenant-a', newCustomer(), { by: 'cli', reason: 'never had a key' })).toBe(false);
    });

    it('after an erasure, new values get a new key and old ones stay erased', async () => {
      const customer = newCustomer();
      const keys = vault();
      const before = await keys.encrypt('tenant-a', customer, 'old');
      await keys.erase('tenant-a', customer, { by: 'cli', reason: 'request' });
      const after = await keys.encrypt('tenant-a', customer, 'new');
      expect(parseSealed(after).keyId).not.toBe(parseSealed(before).keyId);
      expect(await keys.decrypt('tenant-a', customer, after)).toBe('new');
      expect(isErased(await keys.decrypt('tenant-a', customer, before))).toBe(true);
      expect(isErased(await vault().decrypt('tenant-a', customer, before))).toBe(true);
    });

    it('rotates master keys: old wrappings open, new keys use the current one, rewrap moves them all', async () => {
      const oldCustomer = newCustomer();
      const sealedBefore = await vault(ONLY_K1).encrypt('tenant-a', oldCustomer, 'from before the rotation');

      const rotated = vault(ROTATED);
      expect(await rotated.decrypt('tenant-a', oldCustomer, sealedBefore)).toBe('from before the rotation');
      const newCustomerId = newCustomer();
      await rotated.encrypt('tenant-a', newCustomerId, 'after');
      const store = subject.openStore();
      expect((await store.find('tenant-a', newCustomerId))?.masterKeyId).toBe('k2');
      expect((await store.find('tenant-a', oldCustomer))?.masterKeyId).toBe('k1');
      // Without k1 the old wrapping cannot be opened: a clear error, not ERASED.
      const unknownMasterKey = { code: 'PRIVACY_MASTER_KEY_UNKNOWN' };
      const withoutK1 = vault(ONLY_K2);
      await expect(withoutK1.decrypt('tenant-a', oldCustomer, sealedBefore)).rejects.toMatchObject(unknownMasterKey);

      expect(await rotated.rewrapKeys({ batchSize: 2 })).toBeGreaterThanOrEqual(1);
      expect((await store.find('tenant-a', oldCustomer))?.masterKeyId).toBe('k2');
      expect(await store.keysNotWrappedBy('k2', 10)).toEqual([]);
      expect(await vault(ONLY_K2).decrypt('tenant-a', oldCustomer, sealedBefore)).toBe('from before the rotation');
      expect(await rotated.rewrapKeys()).toBe(0);
    });
  });
}
