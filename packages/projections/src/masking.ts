import { mapPersonalFields, type SupportEvent } from '@supportstream/events';
import { maskText } from '@supportstream/privacy/mask';
import type { ProjectedEvent } from './projections/projection.js';

/**
 * The event as the read models keep it: card numbers, IBANs, e-mail addresses, phone numbers,
 * national ids and street addresses in its personal fields become placeholders (`[card ••••4242]`,
 * `[email]`, …). The read models serve conversations to people (the customer, supervisors) and
 * feed caches and the console; none of them needs the values, and the log keeps them sealed for
 * the customer. The live projector and the rebuild both read events through this, so they agree.
 */
export function readModelEvent<T extends SupportEvent>(event: T): T {
  const data = mapPersonalFields(event.type, event.data, maskText);
  return data === event.data ? event : ({ ...event, data });
}

export function readModelRecord(record: ProjectedEvent): ProjectedEvent {
  const event = readModelEvent(record.event);
  return event === record.event ? record : { ...record, event };
}
