import type { EventCodec } from '@supportstream/events';
import { defaultDeadLetterTopic, HEADER, headerValue, namesOf, readRawToEnd, type Kafka, type RawReadRecord } from '@supportstream/kafka';

/** A record the platform could not process, as its dead-letter topic keeps it. */
export interface DeadLetterEntry {
  readonly dlqTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly failedAt: string | null;
  readonly originalTopic: string | null;
  readonly originalPartition: number | null;
  readonly originalOffset: string | null;
  readonly consumerGroup: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number | null;
  /** From the decoded value if it decodes, otherwise from the original headers. */
  readonly eventType: string | null;
  readonly eventId: string | null;
  readonly decodable: boolean;
  readonly valueBytes: number;
  /** The original bytes, so nothing is hidden from an auditor (null for a tombstone). */
  readonly valueBase64: string | null;
}

/** The existing `<topic>.dlq` of each topic (a topic without one is skipped). */
export async function deadLetterTopics(kafka: Kafka, topics: readonly string[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // The admin lists the broker's (physical) names; the topics here are logical.
    const names = namesOf(kafka);
    const existing = new Set((await admin.listTopics()).filter((topic) => names.owns(topic)).map((topic) => names.logicalTopic(topic)));
    return topics.map(defaultDeadLetterTopic).filter((topic) => existing.has(topic));
  } finally {
    await admin.disconnect();
  }
}

async function toEntry(record: RawReadRecord, codec: EventCodec): Promise<DeadLetterEntry> {
  const header = (name: string) => headerValue(record.headers, name) ?? null;
  const number = (value: string | null) => (value === null || Number.isNaN(Number(value)) ? null : Number(value));
  let decoded: { type: string; eventId: string } | undefined;
  try {
    const { event } = await codec.decode(record.value);
    decoded = { type: event.type, eventId: event.metadata.eventId };
  } catch {
    decoded = undefined;
  }
  return {
    dlqTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    failedAt: header(HEADER.dlqFailedAt),
    originalTopic: header(HEADER.dlqTopic),
    originalPartition: number(header(HEADER.dlqPartition)),
    originalOffset: header(HEADER.dlqOffset),
    consumerGroup: header(HEADER.dlqGroup),
    errorCode: header(HEADER.dlqErrorCode),
    errorMessage: header(HEADER.dlqErrorMessage),
    attempts: number(header(HEADER.dlqAttempts)),
    eventType: decoded?.type ?? header(HEADER.eventType),
    eventId: decoded?.eventId ?? header(HEADER.eventId),
    decodable: decoded !== undefined,
    valueBytes: record.value?.length ?? 0,
    valueBase64: record.value?.toString('base64') ?? null,
  };
}

/** Dead-lettered records of one conversation: DLQ records keep the original key, the conversation id. */
export async function deadLettersOf(kafka: Kafka, codec: EventCodec, topics: readonly string[], conversationId: string): Promise<DeadLetterEntry[]> {
  const dlqTopics = await deadLetterTopics(kafka, topics);
  if (dlqTopics.length === 0) return [];
  const records = (await readRawToEnd(kafka, dlqTopics)).filter((record) => record.key?.toString('utf8') === conversationId);
  const entries: DeadLetterEntry[] = [];
  for (const record of records) entries.push(await toEntry(record, codec));
  return entries;
}

export const describeDeadLetter = (entry: DeadLetterEntry): string => {
  const origin = entry.originalTopic === null ? 'origin unknown' : `from ${entry.originalTopic}[${entry.originalPartition ?? '?'}]@${entry.originalOffset ?? '?'}`;
  const what = entry.eventType === null ? `${entry.valueBytes} byte(s), not an event` : `${entry.eventType}${entry.eventId ? ` ${entry.eventId}` : ''}${entry.decodable ? '' : ' (undecodable)'}`;
  return `${entry.failedAt ?? '(time unknown)'}  ${entry.dlqTopic}[${entry.partition}]@${entry.offset}  ${origin}  ${entry.errorCode ?? 'no error code'}: ${entry.errorMessage ?? ''}  attempts ${entry.attempts ?? '?'}  group ${entry.consumerGroup ?? '?'}  ${what}`;
};
