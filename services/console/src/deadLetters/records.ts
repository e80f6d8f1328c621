// What the dead-letters screen says about a record: its names, its original position, its replay call.
import type { DeadLetter, DeadLetterPosition } from '../api/types.js';

/** The platform's topics (topics/): each has a `<topic>.dlq`; the list filters by one of them. */
export const PLATFORM_TOPICS = ['customer.requests', 'agent.actions', 'human.approvals', 'notifications.outbound', 'system.analytics'] as const;

/** Where the record was before it failed; the dead-letter position when its headers do not say. */
export function originOf(record: DeadLetter): { readonly topic: string; readonly partition: number; readonly offset: string; readonly known: boolean } {
  if (record.originalPartition !== null && record.originalOffset !== null) return { topic: record.originalTopic, partition: record.originalPartition, offset: record.originalOffset, known: true };
  return { topic: record.position.topic, partition: record.position.partition, offset: record.position.offset, known: false };
}

/** `customer.requests partition 0 offset 123`: the row's accessible name, by its original position. */
export function recordLabel(record: DeadLetter): string {
  const origin = originOf(record);
  return `${origin.topic} partition ${origin.partition} offset ${origin.offset}`;
}

/** `customer.requests 0:123`: how a position is written in the buttons and results. */
export const shortPosition = (position: { readonly topic: string; readonly partition: number; readonly offset: string }): string => `${position.topic} ${position.partition}:${position.offset}`;

export const positionKey = (position: DeadLetterPosition): string => `${position.topic}|${position.partition}|${position.offset}`;

/** POST path of a replay: the record is named by where it sits on the dead-letter topic. */
export const replayPath = (position: DeadLetterPosition): string =>
  `/v1/admin/dead-letters/${encodeURIComponent(position.topic)}/${position.partition}/${encodeURIComponent(position.offset)}/replay`;

/** The topics the filter offers: the platform's, then any other a listed record came from. */
export function topicChoices(seen: Iterable<string>): string[] {
  const extra = [...new Set(seen)].filter((topic) => !(PLATFORM_TOPICS as readonly string[]).includes(topic)).sort();
  return [...PLATFORM_TOPICS, ...extra];
}
