import type { SupportEvent } from '@supportstream/events';

/** Each event id once (its first copy), as consumers that deduplicate by id see them. */
export function distinctEvents<T extends SupportEvent>(events: readonly T[]): T[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (seen.has(event.metadata.eventId)) return false;
    seen.add(event.metadata.eventId);
    return true;
  });
}

/**
 * The events seen more than once, grouped by id, in order of first arrival. A redelivery must
 * re-emit exactly the same event, so a test asserts every copy deep-equal to the first.
 */
export function duplicateGroups<T extends SupportEvent>(events: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const event of events) {
    const group = groups.get(event.metadata.eventId);
    if (group) group.push(event);
    else groups.set(event.metadata.eventId, [event]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}

/** A short label for failure messages: `AgentStepCompleted:triage`, `RunCompleted`. */
export function eventLabel(event: SupportEvent): string {
  return event.type === 'AgentStepCompleted' || event.type === 'StepMetrics' || event.type === 'LlmUsage' ? `${event.type}:${event.data.node}` : event.type;
}
