import type { EventDataMap, EventMetadata, EventType, TopicName } from './generated/types.js';
import { EVENT_TOPIC } from './generated/types.js';

/**
 * A domain event: a readonly discriminated union on `type`, with the Avro record's `data` and
 * `metadata`. On the wire the record holds only `metadata` and `data`; `type` is `metadata.type`.
 */
export type SupportEvent<T extends EventType = EventType> = {
  readonly [K in T]: { readonly type: K; readonly data: EventDataMap[K]; readonly metadata: EventMetadata };
}[T];

type TopicOf<T extends EventType> = (typeof EVENT_TOPIC)[T];

/** The event types published to one topic. */
export type EventTypeOf<Topic extends TopicName> = { [K in EventType]: TopicOf<K> extends Topic ? K : never }[EventType];
export type EventOfTopic<Topic extends TopicName> = SupportEvent<EventTypeOf<Topic>>;

export function topicOf(type: EventType): TopicName {
  return EVENT_TOPIC[type];
}

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_TOPIC, value);
}

export function isEventOf<T extends EventType>(event: SupportEvent, type: T): event is Extract<SupportEvent, { type: T }> {
  return event.type === type;
}
