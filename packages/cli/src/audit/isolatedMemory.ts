import { RESOLUTION_KIND, type Interaction, type SessionMemory, type VectorStore } from '@supportstream/memory';

/**
 * Memory as a replayed request would have found it, and nothing a replay could change.
 *
 * A what-if run reads the customer's session memory and the resolved-conversation memory as they
 * were when the request arrived (entries from `asOf` on, the recorded run's own exchange included,
 * are left out), so a difference in the report comes from the graph and its configuration, not
 * from memory the original run wrote. Writes are dropped: a shadow run never changes what real
 * customers' next conversations see.
 */
export function sessionMemoryAsOf(sessions: SessionMemory, asOf: string): SessionMemory {
  const cutoff = Date.parse(asOf);
  return {
    async recent(tenantId, customerId, limit) {
      // Read the whole bounded list: entries written after the cutoff are dropped after reading.
      const all = await sessions.recent(tenantId, customerId, Math.max(limit, 1_000));
      return all.filter((interaction, index) => visibleAt(interaction, all[index - 1], cutoff)).slice(0, limit);
    },
    append: () => Promise.resolve(),
    // A shadow run erases nothing either: forgetting is for the real memory, not this view of it.
    forget: () => Promise.resolve(0),
  };
}

/**
 * Whether an interaction was in memory at `cutoff`. A run's exchange is appended when the run ends:
 * the customer's message dated when it was received, then the reply dated when it was sent (the
 * entry just newer in the list). So a message received before the cutoff whose run answered after
 * it was not there yet.
 */
function visibleAt(interaction: Interaction, newer: Interaction | undefined, cutoff: number): boolean {
  if (!(Date.parse(interaction.at) < cutoff)) return false;
  const reply = interaction.role === 'customer' && newer?.role === 'agent' && newer.conversationId === interaction.conversationId ? newer : undefined;
  return reply === undefined || Date.parse(reply.at) < cutoff;
}

const resolvedAt = (payload: Record<string, unknown>): number => {
  const value = payload['resolvedAt'];
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
};

/** The knowledge base as it is now (it is configuration); resolutions only from before `asOf`; no writes. */
export function vectorStoreAsOf(store: VectorStore, asOf: string): VectorStore {
  const cutoff = Date.parse(asOf);
  const isLater = (payload: Record<string, unknown>) => payload['kind'] === RESOLUTION_KIND && !(resolvedAt(payload) < cutoff);
  return {
    ensureCollection: () => Promise.resolve(),
    upsert: () => Promise.resolve(),
    delete: () => Promise.resolve(),
    async search(name, vector, options) {
      const wantsResolutions = options.filter?.['kind'] === RESOLUTION_KIND;
      // Over-fetch: the nearest resolutions may all be newer than the request (bounded, best effort).
      const hits = await store.search(name, vector, wantsResolutions ? { ...options, limit: Math.max(options.limit * 10, 100) } : options);
      return hits.filter((hit) => !isLater(hit.payload)).slice(0, options.limit);
    },
    async list(name, options) {
      return (await store.list(name, options)).filter((doc) => !isLater(doc.payload));
    },
  };
}
