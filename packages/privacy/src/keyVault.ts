import { randomBytes } from 'node:crypto';
import { InvalidInputError, PlatformError, TransientError } from '@supportstream/errors';
import type pg from 'pg';
import type { DataKeyStore, ErasureRequest, StoredDataKey } from './dataKeyStore.js';
import { boundedCache } from './keyCache.js';
import { assertMasterKeys, type MasterKeys } from './masterKeys.js';
import { postgresDataKeyStore } from './postgresDataKeyStore.js';
import {
  decryptBytes,
  encryptBytes,
  fieldAad,
  isSealed,
  KEY_BYTES,
  newKeyId,
  openWithKey,
  parseSealed,
  sealWithKey,
  wrapAad,
} from './sealed.js';

/** What `decrypt` returns for a value whose data key was erased: the value is gone, by design. */
export interface Erased {
  readonly erased: true;
  readonly keyId: string;
}

/** What to show in place of an erased value (audit history, the console). */
export const ERASED_PLACEHOLDER = '[erased]';

export function isErased(value: unknown): value is Erased {
  return typeof value === 'object' && value !== null && (value as { erased?: unknown }).erased === true;
}

export interface KeyVault {
  /** Seals a value with the customer's data key, creating the key on first use. */
  encrypt(tenantId: string, customerId: string, plaintext: string): Promise<string>;
  /**
   * Opens a sealed value; `Erased` when its key was erased. Throws an InvalidInputError when the
   * value is not sealed, was altered, or belongs to another tenant or customer.
   */
  decrypt(tenantId: string, customerId: string, sealed: string): Promise<string | Erased>;
  /**
   * Like `decrypt`, but a value that is not sealed (clear text from before encryption, or from a
   * producer that does not seal) is returned as it is.
   */
  reveal(tenantId: string, customerId: string, value: string): Promise<string | Erased>;
  /** Deletes the customer's data key and logs the erasure in one transaction; true when there was a key. Repeatable. */
  erase(tenantId: string, customerId: string, request: ErasureRequest): Promise<boolean>;
  /** Re-wraps every data key not wrapped by the current master key (after a rotation); returns how many. */
  rewrapKeys(options?: { readonly batchSize?: number }): Promise<number>;
}

interface CommonOptions {
  readonly masterKeys: MasterKeys;
  /**
   * How long an unwrapped data key is used without asking the store again (default 60 s). Another
   * process's erasure is seen here after at most this long; until then this process can still
   * open, and seal with, the erased key.
   */
  readonly cacheTtlMs?: number;
  /** Most data keys kept unwrapped in memory (default 10,000). */
  readonly cacheMaxEntries?: number;
  readonly now?: () => number;
}

export type KeyVaultOptions = CommonOptions & ({ readonly pool: pg.Pool } | { readonly store: DataKeyStore });

interface DataKey {
  readonly keyId: string;
  readonly key: Buffer;
}

function assertIds(tenantId: string, customerId: string): void {
  if (tenantId === '' || customerId === '') {
    throw new InvalidInputError('PRIVACY_MISSING_ID', 'a tenant id and a customer id are required to use a data key', {
      details: { tenantId, customerId },
    });
  }
}

const cacheKey = (tenantId: string, customerId: string) => JSON.stringify([tenantId, customerId]);

export function createKeyVault(options: KeyVaultOptions): KeyVault {
  const { masterKeys } = options;
  assertMasterKeys(masterKeys);
  const store = 'store' in options ? options.store : postgresDataKeyStore(options.pool);
  const ttlMs = options.cacheTtlMs ?? 60_000;
  const maxEntries = options.cacheMaxEntries ?? 10_000;
  const keys = boundedCache<DataKey>({ maxEntries, ttlMs, now: options.now });
  // An erased key never comes back, so "erased" is cached without a time limit.
  const erasedKeys = boundedCache<true>({ maxEntries, ttlMs: Infinity, now: options.now });
  const loading = new Map<string, Promise<DataKey | undefined>>();

  function masterKey(id: string): Buffer {
    const key = masterKeys.keys[id];
    if (key === undefined) {
      const message = `a data key is wrapped by master key "${id}", which is not configured`;
      throw new PlatformError('PRIVACY_MASTER_KEY_UNKNOWN', message, { details: { masterKeyId: id } });
    }
    return key;
  }

  function unwrap(stored: StoredDataKey): DataKey {
    const aad = wrapAad(stored.tenantId, stored.customerId, stored.keyId, stored.masterKeyId);
    const key = decryptBytes(masterKey(stored.masterKeyId), stored.wrappedKey, aad);
    if (key?.length !== KEY_BYTES) {
      const message = `data key ${stored.keyId} does not open with master key "${stored.masterKeyId}"`;
      throw new PlatformError('PRIVACY_KEY_UNWRAP_FAILED', message, {
        details: { keyId: stored.keyId, masterKeyId: stored.masterKeyId },
      });
    }
    return { keyId: stored.keyId, key };
  }

  function wrap(tenantId: string, customerId: string, keyId: string, key: Buffer): Buffer {
    return encryptBytes(masterKey(masterKeys.current), key, wrapAad(tenantId, customerId, keyId, masterKeys.current));
  }

  async function createKey(tenantId: string, customerId: string): Promise<StoredDataKey> {
    const keyId = newKeyId();
    const wrappedKey = wrap(tenantId, customerId, keyId, randomBytes(KEY_BYTES));
    await store.insertIfAbsent(tenantId, customerId, { keyId, wrappedKey, masterKeyId: masterKeys.current });
    // Another process may have won the insert: everyone uses the row that is there.
    const stored = await store.find(tenantId, customerId);
    if (stored === undefined) {
      throw new TransientError('PRIVACY_KEY_RACE', 'the data key was erased while it was being created; try again', {
        details: { tenantId, customerId },
      });
    }
    return stored;
  }

  /** The customer's key from the cache or the store (created when `create`); one load per customer at a time. */
  async function dataKey(tenantId: string, customerId: string, create: boolean): Promise<DataKey | undefined> {
    const id = cacheKey(tenantId, customerId);
    const cached = keys.get(id);
    if (cached !== undefined) return cached;
    const inFlight = loading.get(id);
    if (inFlight !== undefined) {
      const loaded = await inFlight;
      if (loaded !== undefined || !create) return loaded;
    }
    const load = (async () => {
      const existing = await store.find(tenantId, customerId);
      const stored = existing ?? (create ? await createKey(tenantId, customerId) : undefined);
      return stored === undefined ? undefined : unwrap(stored);
    })();
    loading.set(id, load);
    try {
      const loaded = await load;
      // An erase while loading removed this load from `loading`: then its result is not cached.
      if (loaded !== undefined && loading.get(id) === load) keys.set(id, loaded);
      return loaded;
    } finally {
      if (loading.get(id) === load) loading.delete(id);
    }
  }

  async function decrypt(tenantId: string, customerId: string, sealed: string): Promise<string | Erased> {
    assertIds(tenantId, customerId);
    const parts = parseSealed(sealed);
    const erasedId = JSON.stringify([tenantId, customerId, parts.keyId]);
    if (erasedKeys.get(erasedId) === true) return { erased: true, keyId: parts.keyId };
    let current = await dataKey(tenantId, customerId, false);
    if (current !== undefined && current.keyId !== parts.keyId) {
      // The cached key may be stale: another process erased it and a new one was created since.
      keys.delete(cacheKey(tenantId, customerId));
      current = await dataKey(tenantId, customerId, false);
    }
    if (current?.keyId === parts.keyId) {
      return openWithKey(current.key, parts, fieldAad(tenantId, customerId, parts.keyId));
    }
    if (await store.wasErased(tenantId, customerId, parts.keyId)) {
      erasedKeys.set(erasedId, true);
      return { erased: true, keyId: parts.keyId };
    }
    throw new InvalidInputError(
      'PRIVACY_KEY_MISMATCH',
      `the value was sealed with data key ${parts.keyId}, which is not (and never was) this tenant's and customer's`,
      { details: { tenantId, customerId, keyId: parts.keyId } },
    );
  }

  return {
    async encrypt(tenantId, customerId, plaintext) {
      assertIds(tenantId, customerId);
      const key = await dataKey(tenantId, customerId, true);
      if (key === undefined) throw new PlatformError('PRIVACY_KEY_MISSING', 'no data key could be created');
      return sealWithKey(key.key, key.keyId, fieldAad(tenantId, customerId, key.keyId), plaintext);
    },
    decrypt,
    reveal(tenantId, customerId, value) {
      return isSealed(value) ? decrypt(tenantId, customerId, value) : Promise.resolve(value);
    },
    async erase(tenantId, customerId, request) {
      assertIds(tenantId, customerId);
      const id = cacheKey(tenantId, customerId);
      keys.delete(id);
      loading.delete(id);
      const keyId = await store.erase(tenantId, customerId, request);
      // Again after the write: a load that started meanwhile must not keep the old key.
      keys.delete(id);
      loading.delete(id);
      if (keyId !== undefined) erasedKeys.set(JSON.stringify([tenantId, customerId, keyId]), true);
      return keyId !== undefined;
    },
    async rewrapKeys(rewrapOptions = {}) {
      const batchSize = rewrapOptions.batchSize ?? 100;
      let count = 0;
      let after: StoredDataKey | undefined;
      // Pages by (tenant, customer), so a key that cannot be re-wrapped now is not read again.
      for (;;) {
        const batch = await store.keysNotWrappedBy(masterKeys.current, batchSize, after);
        if (batch.length === 0) return count;
        for (const stored of batch) {
          const { key } = unwrap(stored);
          const rewrapped = wrap(stored.tenantId, stored.customerId, stored.keyId, key);
          if (await store.rewrap(stored, rewrapped, masterKeys.current)) count++;
        }
        after = batch[batch.length - 1];
      }
    },
  };
}
