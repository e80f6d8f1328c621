import { useEffect, useState } from 'react';
import { api, ApiError, isAbort } from '../api/client.js';
import { openEventStream } from '../api/eventStream.js';
import type { ConversationEvent, EventPage } from '../api/types.js';

/** Pages read before going live; a longer history shows its first 2,500 events and then the live ones. */
const MAX_PAGES = 5;
const PAGE = 500;

export interface Timeline {
  readonly status: 'loading' | 'ready' | 'error';
  readonly events: readonly ConversationEvent[];
  readonly live: boolean;
  readonly error?: ApiError;
}

const merge = (known: readonly ConversationEvent[], more: readonly ConversationEvent[]): ConversationEvent[] => {
  const bySeq = new Map(known.map((event) => [event.seq, event]));
  for (const event of more) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0));
};

/** The conversation's events: the pages of GET …/events, then live from GET …/stream after the last seq. */
export function useTimeline(conversationId: string): Timeline {
  const [timeline, setTimeline] = useState<Timeline>({ status: 'loading', events: [], live: false });

  useEffect(() => {
    const controller = new AbortController();
    let closeStream: (() => void) | undefined;
    const base = `/v1/conversations/${encodeURIComponent(conversationId)}`;
    const load = async () => {
      let events: ConversationEvent[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const body: EventPage = await api.get<EventPage>(`${base}/events?limit=${PAGE}${after === null ? '' : `&after=${after}`}`, { signal: controller.signal });
        events = merge(events, body.events);
        after = body.nextAfter;
        if (after === null) break;
      }
      setTimeline({ status: 'ready', events, live: false });
      const last = events.at(-1)?.seq ?? '0';
      closeStream = openEventStream({
        path: `${base}/stream`,
        lastEventId: last,
        onState: (state) => setTimeline((current) => ({ ...current, live: state.kind === 'open', ...(state.kind === 'closed' && state.error !== undefined ? { error: state.error } : {}) })),
        onMessage: (message) => {
          try {
            const event = JSON.parse(message.data) as ConversationEvent;
            setTimeline((current) => ({ ...current, events: merge(current.events, [event]) }));
          } catch {
            // Not an event (a future message type): nothing to show.
          }
        },
      });
    };
    load().catch((error: unknown) => {
      if (isAbort(error)) return;
      setTimeline({ status: 'error', events: [], live: false, error: error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)) });
    });
    return () => {
      controller.abort();
      closeStream?.();
    };
  }, [conversationId]);

  return timeline;
}

/** How deep each event sits in its causation tree (0: caused by nothing shown here). */
export function causationDepths(events: readonly ConversationEvent[]): ReadonlyMap<string, number> {
  const byId = new Map(events.map((event) => [event.eventId, event]));
  const depths = new Map<string, number>();
  const depthOf = (event: ConversationEvent, guard: number): number => {
    const known = depths.get(event.eventId);
    if (known !== undefined) return known;
    const parent = event.causationId === null ? undefined : byId.get(event.causationId);
    const depth = parent === undefined || guard > 50 ? 0 : depthOf(parent, guard + 1) + 1;
    depths.set(event.eventId, depth);
    return depth;
  };
  for (const event of events) depthOf(event, 0);
  return depths;
}
