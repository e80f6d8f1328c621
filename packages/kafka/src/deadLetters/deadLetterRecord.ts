import { stableId, type DecodedEvent } from '@supportstream/events';
import { defaultDeadLetterTopic } from '../deadLetter.js';
import { HEADER, headerValue, type MessageHeaders } from '../headers.js';
import type { RawReadRecord } from '../readToEnd.js';

/** Where a record is on a dead-letter topic: what an operator names to replay it. */
export interface DeadLetterPosition {
  readonly topic: string;
  readonly partition: number;
  /** Decimal string, like every offset this package hands out. */
  readonly offset: string;
}

/** What the record's value says about itself, when it decodes (undefined otherwise). */
export interface DeadLetterEnvelope {
  readonly eventType: string;
  readonly eventId: string;
  readonly conversationId: string;
  readonly requestId: string;
  readonly tenantId: string;
  readonly correlationId: string;
}

/** A dead-lettered record as an operator sees it: why it failed, where it came from, whose it is. */
export interface DeadLetterRecord {
  readonly position: DeadLetterPosition;
  /** The topic it goes back to: the DLQ topic's name without `.dlq` (the header must agree to replay). */
  readonly originalTopic: string;
  /** What the `dlq-original-topic` header says (null when absent); a mismatch with originalTopic refuses the replay. */
  readonly originalTopicHeader: string | null;
  readonly originalPartition: number | null;
  readonly originalOffset: string | null;
  readonly consumerGroup: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number | null;
  /** When the consumer gave up (the header), else when the DLQ record was written (ISO-8601). */
  readonly failedAt: string;
  /** The original key as text (a conversation id for every platform producer); null for none. */
  readonly key: string | null;
  /** From the decoded value, else from the original `event-type` header (which nothing vouches for). */
  readonly eventType: string | null;
  readonly eventId: string | null;
  /**
   * The tenant of the decoded value; null when the bytes do not decode. A header alone never
   * names the tenant: nothing vouches for the header of a record whose bytes cannot be read, so
   * such records are the operators' (CLI), never a tenant admin's.
   */
  readonly tenantId: string | null;
  readonly decodable: boolean;
  readonly envelope: DeadLetterEnvelope | undefined;
  readonly valueBytes: number;
}

/** The dead-letter headers the consumer runtime adds (deadLetterHeaders), plus the replay marker. */
const DEAD_LETTER_HEADERS: ReadonlySet<string> = new Set([
  HEADER.dlqTopic,
  HEADER.dlqPartition,
  HEADER.dlqOffset,
  HEADER.dlqTimestamp,
  HEADER.dlqGroup,
  HEADER.dlqErrorCode,
  HEADER.dlqErrorMessage,
  HEADER.dlqAttempts,
  HEADER.dlqFailedAt,
  HEADER.dlqReplayId,
]);

export const DLQ_SUFFIX = '.dlq';

/** Why a position is malformed (undefined when it is fine): a partition is a small integer, an offset a decimal int64. */
export function positionProblem(position: DeadLetterPosition): string | undefined {
  if (!Number.isInteger(position.partition) || position.partition < 0 || position.partition > 1_000_000) return 'partition must be a whole number from 0';
  if (!/^\d{1,19}$/.test(position.offset) || BigInt(position.offset) > 9_223_372_036_854_775_807n) return 'offset must be a whole number from 0 (a Kafka offset)';
  return undefined;
}

export const positionKey = (position: DeadLetterPosition): string => `${position.topic}\u0000${position.partition}\u0000${position.offset}`;

/** The same for every attempt at one DLQ record, so a retried replay carries the same ids. */
export const replayIdOf = (position: DeadLetterPosition): string => stableId('dead-letter-replay', position.topic, String(position.partition), position.offset);

/** `customer.requests.dlq` → `customer.requests`; undefined for a topic that is no dead-letter topic. */
export function originalTopicOf(dlqTopic: string): string | undefined {
  if (!dlqTopic.endsWith(DLQ_SUFFIX) || dlqTopic.length === DLQ_SUFFIX.length) return undefined;
  const original = dlqTopic.slice(0, -DLQ_SUFFIX.length);
  return defaultDeadLetterTopic(original) === dlqTopic ? original : undefined;
}

const integer = (value: string | undefined): number | null => (value !== undefined && /^\d+$/.test(value) ? Number(value) : null);

function failedAtOf(headers: MessageHeaders, brokerTimestamp: string): string {
  const header = headerValue(headers, HEADER.dlqFailedAt);
  if (header !== undefined && !Number.isNaN(Date.parse(header))) return new Date(header).toISOString();
  const millis = Number(brokerTimestamp);
  return new Date(Number.isFinite(millis) ? millis : 0).toISOString();
}

function envelopeOf(decoded: DecodedEvent | undefined): DeadLetterEnvelope | undefined {
  if (decoded === undefined) return undefined;
  const { metadata, type } = decoded.event;
  return { eventType: type, eventId: metadata.eventId, conversationId: metadata.conversationId, requestId: metadata.requestId, tenantId: metadata.tenantId, correlationId: metadata.correlationId };
}

/** Pure: what a raw DLQ record says, given its decoded value (undefined when it does not decode). */
export function toDeadLetterRecord(raw: RawReadRecord, decoded: DecodedEvent | undefined): DeadLetterRecord {
  const header = (name: string) => headerValue(raw.headers, name) ?? null;
  const envelope = envelopeOf(decoded);
  const offset = header(HEADER.dlqOffset);
  return {
    position: { topic: raw.topic, partition: raw.partition, offset: raw.offset },
    originalTopic: originalTopicOf(raw.topic) ?? header(HEADER.dlqTopic) ?? raw.topic,
    originalTopicHeader: header(HEADER.dlqTopic),
    originalPartition: integer(headerValue(raw.headers, HEADER.dlqPartition)),
    originalOffset: offset !== null && /^\d+$/.test(offset) ? offset : null,
    consumerGroup: header(HEADER.dlqGroup),
    errorCode: header(HEADER.dlqErrorCode),
    errorMessage: header(HEADER.dlqErrorMessage),
    attempts: integer(headerValue(raw.headers, HEADER.dlqAttempts)),
    failedAt: failedAtOf(raw.headers, raw.timestamp),
    key: raw.key === null ? null : raw.key.toString('utf8'),
    eventType: envelope?.eventType ?? header(HEADER.eventType),
    eventId: envelope?.eventId ?? header(HEADER.eventId),
    tenantId: envelope?.tenantId ?? null,
    decodable: envelope !== undefined,
    envelope,
    valueBytes: raw.value?.length ?? 0,
  };
}

/**
 * Why this record cannot go back (undefined when it can): it must sit on a dead-letter topic, and
 * a `dlq-original-topic` header must name that topic's original, so no header can send a record
 * to a topic of its choosing.
 */
export function replayRefusal(record: DeadLetterRecord): string | undefined {
  const original = originalTopicOf(record.position.topic);
  if (original === undefined) return `${record.position.topic} is not a dead-letter topic (<topic>${DLQ_SUFFIX})`;
  if (record.originalTopicHeader !== null && record.originalTopicHeader !== original) {
    return `the record says it came from ${record.originalTopicHeader}, but it sits on ${record.position.topic}; it is not replayed anywhere`;
  }
  return undefined;
}

/** The original headers without the dead-letter ones, plus the replay id (tracing; stripped again by a later replay). */
export function replayHeaders(headers: MessageHeaders, replayId: string): MessageHeaders {
  const kept = Object.fromEntries(Object.entries(headers).filter(([name, value]) => !DEAD_LETTER_HEADERS.has(name) && value !== undefined));
  return { ...kept, [HEADER.dlqReplayId]: replayId };
}

/** The record as JSON for tools and the gateway: everything but the internal envelope. */
export function deadLetterView(record: DeadLetterRecord): Omit<DeadLetterRecord, 'envelope' | 'originalTopicHeader'> {
  const { envelope: _envelope, originalTopicHeader: _header, ...view } = record;
  return view;
}
