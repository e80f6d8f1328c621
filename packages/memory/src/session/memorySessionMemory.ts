import { boundedInteraction, checkCustomer, checkLimit, resolveLimits, type Interaction, type SessionMemory, type SessionMemoryLimits } from './sessionMemory.js';

export interface MemorySessionMemoryOptions extends SessionMemoryLimits {
  /** Milliseconds since the epoch; inject a fake clock to test expiry. */
  readonly now?: () => number;
}

/** In-memory twin of the Redis session memory, with the same bound and TTL semantics. */
export function memorySessionMemory(options: MemorySessionMemoryOptions = {}): SessionMemory {
  const limits = resolveLimits(options);
  const now = options.now ?? Date.now;
  const sessions = new Map<string, { items: Interaction[]; expiresAt: number }>();
  const keyOf = (tenantId: string, customerId: string) => JSON.stringify([tenantId, customerId]);
  const live = (key: string) => {
    const session = sessions.get(key);
    if (session !== undefined && now() >= session.expiresAt) {
      sessions.delete(key);
      return undefined;
    }
    return session;
  };

  return {
    recent: (tenantId, customerId, limit) =>
      Promise.resolve().then(() => {
        checkCustomer(tenantId, customerId);
        checkLimit(limit);
        return (live(keyOf(tenantId, customerId))?.items ?? []).slice(0, limit).map((item) => ({ ...item }));
      }),
    append: (tenantId, customerId, ...interactions) =>
      Promise.resolve().then(() => {
        checkCustomer(tenantId, customerId);
        if (interactions.length === 0) return;
        const stored = interactions.map((interaction) => boundedInteraction(interaction, limits)).reverse();
        const key = keyOf(tenantId, customerId);
        const items = [...stored, ...(live(key)?.items ?? [])].slice(0, limits.maxInteractions);
        sessions.set(key, { items, expiresAt: now() + limits.ttlSeconds * 1000 });
      }),
    forget: (tenantId, customerId) =>
      Promise.resolve().then(() => {
        checkCustomer(tenantId, customerId);
        const key = keyOf(tenantId, customerId);
        // An expired session is already gone, as it is in Redis: `live` drops it and it counts 0.
        return live(key) !== undefined && sessions.delete(key) ? 1 : 0;
      }),
  };
}
