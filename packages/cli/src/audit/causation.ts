import type { SupportEvent } from '@supportstream/events';

/** A record with its place in the log. */
export interface LoggedEvent {
  readonly event: SupportEvent;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface CausalEntry<T extends LoggedEvent> {
  readonly record: T;
  /** Ancestors within the conversation, root first; empty for a root. */
  readonly chain: readonly string[];
  /** Set when an earlier record carried the same event id (a step re-emitted after a crash). */
  readonly duplicateOf?: string;
}

export const locationOf = (record: LoggedEvent): string => `${record.topic}[${record.partition}]@${record.offset}`;

function compareRecords(a: LoggedEvent, b: LoggedEvent): number {
  const time = a.event.metadata.occurredAt.getTime() - b.event.metadata.occurredAt.getTime();
  if (time !== 0) return time;
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.partition !== b.partition) return a.partition - b.partition;
  const offsets = BigInt(a.offset) - BigInt(b.offset);
  return offsets < 0n ? -1 : offsets > 0n ? 1 : 0;
}

/**
 * Orders a conversation's events for an audit: by occurredAt, ties by topic, partition and
 * offset, except that an event never comes before the event that caused it (clocks of different
 * services may disagree). An event whose cause is not among the records is a root. Pure.
 */
export function orderByCausation<T extends LoggedEvent>(records: readonly T[]): CausalEntry<T>[] {
  const sorted = [...records].sort(compareRecords);
  const first = new Map<string, T>();
  for (const record of sorted) if (!first.has(record.event.metadata.eventId)) first.set(record.event.metadata.eventId, record);

  const chainOf = (record: T): string[] => {
    const chain: string[] = [];
    const visited = new Set([record.event.metadata.eventId]);
    for (let cause = record.event.metadata.causationId; cause !== null && first.has(cause) && !visited.has(cause); ) {
      visited.add(cause);
      chain.unshift(cause);
      cause = first.get(cause)?.event.metadata.causationId ?? null;
    }
    return chain;
  };

  const ordered: CausalEntry<T>[] = [];
  const emitted = new Set<string>();
  const waiting = new Map<string, T[]>();
  const done = new Set<T>();
  const emit = (record: T) => {
    if (done.has(record)) return;
    done.add(record);
    const { eventId } = record.event.metadata;
    const original = first.get(eventId);
    ordered.push({ record, chain: chainOf(record), ...(original !== record && original ? { duplicateOf: locationOf(original) } : {}) });
    if (original !== record || emitted.has(eventId)) return;
    emitted.add(eventId);
    const effects = waiting.get(eventId) ?? [];
    waiting.delete(eventId);
    for (const effect of effects) emit(effect);
  };
  for (const record of sorted) {
    const cause = record.event.metadata.causationId;
    if (cause !== null && cause !== record.event.metadata.eventId && first.has(cause) && !emitted.has(cause)) {
      waiting.set(cause, [...(waiting.get(cause) ?? []), record]);
    } else {
      emit(record);
    }
  }
  // Only a causation cycle (corrupt data) leaves records waiting: show them rather than hide them.
  for (const record of [...waiting.values()].flat().sort(compareRecords)) emit(record);
  return ordered;
}
