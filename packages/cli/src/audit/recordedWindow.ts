import type { EventCodec, SupportEvent } from '@supportstream/events';
import { readToEnd, type Kafka, type ReadRecord } from '@supportstream/kafka';
import type { RequestReceived } from './replayEngine.js';

/** The topics a request and its recorded run are on: the request, the steps, the approvals. */
export const RECORDED_TOPICS = ['customer.requests', 'agent.actions', 'human.approvals'] as const;

/** Requests received in [from, to), of one tenant when given. */
export interface RequestWindow {
  readonly from: Date;
  readonly to: Date;
  readonly tenant?: string;
}

export interface RecordedWindow {
  /** The window's requests, each request once, in the order they were received. */
  readonly requests: readonly RequestReceived[];
  /** Every event read that is not a request, by conversation, in log order (all of the log, not only the window). */
  readonly recordedByConversation: ReadonlyMap<string, readonly SupportEvent[]>;
}

type Positioned = Pick<ReadRecord, 'event' | 'partition' | 'offset'>;

const byArrival = (a: Positioned, b: Positioned) =>
  a.event.metadata.occurredAt.getTime() - b.event.metadata.occurredAt.getTime() ||
  a.partition - b.partition ||
  Number(BigInt(a.offset) - BigInt(b.offset));

function inWindow(event: SupportEvent, window: RequestWindow): event is RequestReceived {
  if (event.type !== 'RequestReceived') return false;
  const at = event.metadata.occurredAt.getTime();
  const tenantMatches = window.tenant === undefined || event.metadata.tenantId === window.tenant;
  return at >= window.from.getTime() && at < window.to.getTime() && tenantMatches;
}

/** The window's requests and every conversation's recorded events, from records read off the log. Pure. */
export function recordedWindowOf(records: readonly Positioned[], window: RequestWindow): RecordedWindow {
  const candidates = records.filter((record) => inWindow(record.event, window)).sort(byArrival);
  // A producer's retry may have written a request twice: the platform runs it once.
  const requestIds = new Set<string>();
  const requests: RequestReceived[] = [];
  for (const { event } of candidates) {
    if (event.type !== 'RequestReceived' || requestIds.has(event.metadata.requestId)) continue;
    requestIds.add(event.metadata.requestId);
    requests.push(event);
  }
  const recordedByConversation = new Map<string, SupportEvent[]>();
  for (const { event } of records) {
    if (event.type === 'RequestReceived') continue;
    const list = recordedByConversation.get(event.metadata.conversationId) ?? [];
    list.push(event);
    recordedByConversation.set(event.metadata.conversationId, list);
  }
  return { requests, recordedByConversation };
}

/**
 * Reads the log to its end (a throwaway consumer that commits nothing) and returns the window's
 * requests with the recorded runs. `codec` opens sealed personal fields: use the command's codec
 * (commandCodec), under which an erased customer's fields read `[erased]`.
 */
export async function readRecordedWindow(
  kafka: Kafka,
  codec: EventCodec,
  window: RequestWindow,
): Promise<RecordedWindow> {
  return recordedWindowOf(await readToEnd(kafka, codec, RECORDED_TOPICS), window);
}
