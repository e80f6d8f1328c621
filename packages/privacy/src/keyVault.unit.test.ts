import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyVaultContract } from '../test/keyVaultContract.js';
import { inMemoryDataKeyStore, type DataKeyStore } from './dataKeyStore.js';
import { createKeyVault } from './keyVault.js';

// One store shared by every "process", as one database would be.
keyVaultContract('in-memory store', () => {
  const store = inMemoryDataKeyStore();
  return Promise.resolve({ openStore: () => store });
});

const MASTER_KEYS = { current: 'k1', keys: { k1: randomBytes(32) } };

/** An in-memory store that counts its reads. */
function countingStore(): { store: DataKeyStore; finds: { count: number } } {
  const store = inMemoryDataKeyStore();
  const finds = { count: 0 };
  const find: DataKeyStore['find'] = (tenantId, customerId) => {
    finds.count++;
    return store.find(tenantId, customerId);
  };
  return { store: { ...store, find }, finds };
}

describe('createKeyVault', () => {
  it('refuses master keys whose current key is missing', () => {
    const masterKeys = { current: 'k2', keys: { k1: randomBytes(32) } };
    expect(() => createKeyVault({ store: inMemoryDataKeyStore(), masterKeys })).toThrow(/"k2" is not among/);
  });

  it('loads a customer’s key once for concurrent encryptions and then serves it from the cache', async () => {
    const { store: counting, finds } = countingStore();
    const vault = createKeyVault({ store: counting, masterKeys: MASTER_KEYS });
    await Promise.all(Array.from({ length: 10 }, (_, i) => vault.encrypt('tenant-a', 'cust-1', `value ${i}`)));
    await vault.encrypt('tenant-a', 'cust-1', 'one more');
    // One find before the insert, one to read back the winning row.
    expect(finds.count).toBe(2);
  });

  it('keeps at most cacheMaxEntries keys unwrapped', async () => {
    const { store: counting, finds } = countingStore();
    const vault = createKeyVault({ store: counting, masterKeys: MASTER_KEYS, cacheMaxEntries: 2 });
    for (const customer of ['c1', 'c2', 'c3']) await vault.encrypt('tenant-a', customer, 'x');
    finds.count = 0;
    await vault.encrypt('tenant-a', 'c3', 'x');
    await vault.encrypt('tenant-a', 'c2', 'x');
    expect(finds.count).toBe(0);
    await vault.encrypt('tenant-a', 'c1', 'x');
    expect(finds.count).toBe(1);
  });
});
