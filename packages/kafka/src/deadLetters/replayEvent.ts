import { stableId, type EventContext, type EventFactory, type SupportEvent } from '@supportstream/events';
import type { DeadLetterRecord } from './deadLetterRecord.js';

/**
 * The tenant of a DeadLetterReplayed event whose record does not decode: no tenant can be read
 * from it, so the audit event belongs to the operators. Reserved: no tenant may be named so.
 */
export const OPERATOR_TENANT = '_operator';

/** The conversation id of the audit event of an undecodable record: derived from its DLQ position (through the replay id). */
export const operatorConversationId = (replayId: string): string => `dlq-${replayId}`;

const MAX_REASON = 2_000;

export interface ReplayFacts {
  readonly replayId: string;
  readonly replayedBy: string;
  readonly replayedAt: Date;
  readonly replayedToPartition: number;
  readonly replayedToOffset: string;
}

/**
 * The event's context: a record that decodes continues its own conversation, request and
 * correlation (caused by the replayed event); one that does not gets a conversation of its own,
 * derived from its DLQ position, under the operators' tenant. Nothing is sealed (no customer).
 */
export function replayContext(record: DeadLetterRecord, replayId: string): EventContext {
  const { envelope } = record;
  if (envelope !== undefined) {
    return { conversationId: envelope.conversationId, requestId: envelope.requestId, tenantId: envelope.tenantId, correlationId: envelope.correlationId, causationId: envelope.eventId, customerId: null };
  }
  return { conversationId: operatorConversationId(replayId), requestId: replayId, tenantId: OPERATOR_TENANT, correlationId: replayId, causationId: null, customerId: null };
}

/** Pure: who replayed what and when. Its id derives from the replay id, so a retried replay re-emits the same event. */
export function deadLetterReplayedEvent(factory: EventFactory, record: DeadLetterRecord, facts: ReplayFacts): SupportEvent<'DeadLetterReplayed'> {
  const reason = record.errorMessage ?? record.errorCode ?? 'no reason recorded';
  return factory.create(
    'DeadLetterReplayed',
    {
      replayId: facts.replayId,
      dlqTopic: record.position.topic,
      dlqPartition: record.position.partition,
      dlqOffset: Number(record.position.offset),
      originalTopic: record.originalTopic,
      originalPartition: record.originalPartition,
      originalOffset: record.originalOffset === null ? null : Number(record.originalOffset),
      consumerGroup: record.consumerGroup,
      errorCode: record.errorCode,
      reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason,
      replayedBy: facts.replayedBy,
      replayedAt: facts.replayedAt,
      replayedToPartition: facts.replayedToPartition,
      replayedToOffset: Number(facts.replayedToOffset),
    },
    replayContext(record, facts.replayId),
    stableId('DeadLetterReplayed', facts.replayId),
    facts.replayedAt,
  );
}
