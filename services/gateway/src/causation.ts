/** An event's place in the causation tree of its conversation. */
export interface CausalPlace {
  /** The event's cause when that cause is an event of the conversation; null for a root. */
  readonly parentEventId: string | null;
  /** Ancestors within the conversation, root first; empty for a root. */
  readonly chain: readonly string[];
}

/**
 * The causation tree of a conversation from (eventId, causationId) pairs. An event whose cause is
 * not an event of the conversation (a request's cause outside it, or none) is a root. A cycle
 * (corrupt data) stops the walk at the first repeated id instead of looping. Pure.
 */
export function causationTree(links: readonly { readonly eventId: string; readonly causationId: string | null }[]): Map<string, CausalPlace> {
  const causeOf = new Map(links.map((link) => [link.eventId, link.causationId]));
  const places = new Map<string, CausalPlace>();
  for (const { eventId, causationId } of links) {
    const parentEventId = causationId !== null && causationId !== eventId && causeOf.has(causationId) ? causationId : null;
    const chain: string[] = [];
    const visited = new Set([eventId]);
    for (let cause = parentEventId; cause !== null && !visited.has(cause); cause = causeOf.get(cause) ?? null) {
      if (!causeOf.has(cause)) break;
      visited.add(cause);
      chain.unshift(cause);
    }
    places.set(eventId, { parentEventId, chain });
  }
  return places;
}
