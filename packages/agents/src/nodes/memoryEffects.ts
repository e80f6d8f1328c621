import type { NodeImplementation } from '@supportstream/graph';
import { rememberResolution, type Embedder, type Interaction, type SessionMemory, type VectorStore } from '@supportstream/memory';

export interface MemoryEffectsOptions {
  readonly sessions: SessionMemory;
  readonly store: VectorStore;
  readonly embedder: Embedder;
}

/**
 * Wraps a node that ends a run: afterwards the exchange goes into the customer's session memory
 * and a resolved conversation into long-term memory. Both writes are idempotent upserts or
 * bounded appends, so a re-run step is harmless.
 */
export function withMemoryEffects(node: NodeImplementation, options: MemoryEffectsOptions): NodeImplementation {
  return async (state, context) => {
    const result = await node(state, context);
    const request = state.request;
    const reply = typeof result.update.finalReply === 'string' ? result.update.finalReply : null;
    if (!request) return result;
    const at = new Date().toISOString();
    // The customer's message and the reply in one write (one round trip).
    const exchange: Interaction[] = [{ at: request.receivedAt, conversationId: request.conversationId, role: 'customer', text: request.message, summary: state.triageDecision?.intent }];
    if (reply) exchange.push({ at, conversationId: request.conversationId, role: 'agent', text: reply });
    await options.sessions.append(request.tenantId, request.customerId, ...exchange);
    const outcome = typeof result.update.outcome === 'string' ? result.update.outcome : null;
    if (reply && (outcome === 'RESOLVED' || outcome === 'RESOLVED_AFTER_APPROVAL')) {
      await rememberResolution(options.store, options.embedder, {
        tenantId: request.tenantId,
        conversationId: request.conversationId,
        customerId: request.customerId,
        question: request.message,
        reply,
        category: state.triageDecision?.category ?? 'other',
        outcome: outcome.toLowerCase(),
        resolvedAt: at,
      });
    }
    return result;
  };
}
