/**
 * A small in-process cache with a bounded number of entries and a time to live: the unwrapped
 * data keys (so a hot customer costs no query per field) and the ids of keys known to be erased.
 * Map order is insertion order, so the first entry is the oldest; a hit moves an entry to the end.
 */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export interface BoundedCacheOptions {
  readonly maxEntries: number;
  /** Infinity: entries only leave when the cache is full. */
  readonly ttlMs: number;
  readonly now?: () => number;
}

export function boundedCache<V>(options: BoundedCacheOptions): BoundedCache<V> {
  const now = options.now ?? Date.now;
  const maxEntries = Math.max(1, Math.trunc(options.maxEntries));
  const entries = new Map<string, { readonly value: V; readonly expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + options.ttlMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
