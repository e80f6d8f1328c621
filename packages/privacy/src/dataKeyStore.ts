/**
 * Where the wrapped data keys live: one per (tenant, customer), plus the log of erasures. The
 * PostgreSQL adapter is the real one (migration 014_privacy); the in-memory twin serves unit tests
 * and tools that need no database. Both pass the same contract suite (test/dataKeyStoreContract.ts).
 */
export interface WrappedDataKey {
  readonly keyId: string;
  /** iv ‖ tag ‖ the data key encrypted by the master key `masterKeyId`. */
  readonly wrappedKey: Buffer;
  readonly masterKeyId: string;
}

export interface StoredDataKey extends WrappedDataKey, CustomerRef {}

export interface CustomerRef {
  readonly tenantId: string;
  readonly customerId: string;
}

export interface ErasureRequest {
  /** Who asked (an operator, a ticket, a service). */
  readonly by: string;
  readonly reason: string;
}

export interface ErasureRecord extends ErasureRequest {
  readonly tenantId: string;
  readonly customerId: string;
  /** The data key that was deleted; null when the customer had none at the time. */
  readonly keyId: string | null;
  readonly erasedAt: Date;
}

export interface DataKeyStore {
  find(tenantId: string, customerId: string): Promise<StoredDataKey | undefined>;
  /** Stores the key unless the customer already has one (then nothing changes: the first writer wins). */
  insertIfAbsent(tenantId: string, customerId: string, key: WrappedDataKey): Promise<void>;
  /** Deletes the customer's key and logs the erasure, atomically; returns the deleted key's id. */
  erase(tenantId: string, customerId: string, request: ErasureRequest): Promise<string | undefined>;
  /** Whether this key of this customer was erased (as opposed to never having been theirs). */
  wasErased(tenantId: string, customerId: string, keyId: string): Promise<boolean>;
  erasures(tenantId: string, customerId: string): Promise<ErasureRecord[]>;
  /**
   * Up to `limit` keys wrapped by a master key other than `masterKeyId`, for re-wrapping, ordered
   * by (tenant, customer) and after the customer `after` when it is given (pages of a scan).
   */
  keysNotWrappedBy(masterKeyId: string, limit: number, after?: CustomerRef): Promise<StoredDataKey[]>;
  /** Replaces the wrapping of a key if it is still as read (same key id and master key); returns whether it did. */
  rewrap(key: StoredDataKey, wrappedKey: Buffer, masterKeyId: string): Promise<boolean>;
}

const id = (tenantId: string, customerId: string) => JSON.stringify([tenantId, customerId]);

/** The in-memory twin: the same semantics in one process. */
export function inMemoryDataKeyStore(now: () => Date = () => new Date()): DataKeyStore {
  const keys = new Map<string, StoredDataKey>();
  const log: ErasureRecord[] = [];
  return {
    find: (tenantId, customerId) => Promise.resolve(keys.get(id(tenantId, customerId))),
    insertIfAbsent(tenantId, customerId, key) {
      if (!keys.has(id(tenantId, customerId))) keys.set(id(tenantId, customerId), { tenantId, customerId, ...key });
      return Promise.resolve();
    },
    erase(tenantId, customerId, request) {
      const existing = keys.get(id(tenantId, customerId));
      keys.delete(id(tenantId, customerId));
      const keyId = existing?.keyId ?? null;
      log.push({ tenantId, customerId, keyId, erasedAt: now(), by: request.by, reason: request.reason });
      return Promise.resolve(existing?.keyId);
    },
    wasErased: (tenantId, customerId, keyId) =>
      Promise.resolve(
        log.some((entry) => entry.tenantId === tenantId && entry.customerId === customerId && entry.keyId === keyId),
      ),
    erasures: (tenantId, customerId) =>
      Promise.resolve(log.filter((entry) => entry.tenantId === tenantId && entry.customerId === customerId)),
    keysNotWrappedBy(masterKeyId, limit, after) {
      const order = (key: CustomerRef) => [key.tenantId, key.customerId] as const;
      const before = (a: CustomerRef, b: CustomerRef) => {
        const [ta, ca] = order(a);
        const [tb, cb] = order(b);
        return ta < tb || (ta === tb && ca < cb);
      };
      const page = [...keys.values()]
        .filter((key) => key.masterKeyId !== masterKeyId && (after === undefined || before(after, key)))
        .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
      return Promise.resolve(page.slice(0, limit));
    },
    rewrap(key, wrappedKey, masterKeyId) {
      const current = keys.get(id(key.tenantId, key.customerId));
      if (current?.keyId !== key.keyId || current.masterKeyId !== key.masterKeyId) return Promise.resolve(false);
      keys.set(id(key.tenantId, key.customerId), { ...current, wrappedKey, masterKeyId });
      return Promise.resolve(true);
    },
  };
}
