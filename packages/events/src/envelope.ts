import type { SupportEvent } from './event.js';
import type { EventDataMap, EventMetadata, EventType } from './generated/types.js';
import { randomId, type IdGenerator } from './ids.js';
import { customerOf } from './personalFields.js';

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Identity of a conversation's processing, carried from cause to effect. */
export interface EventContext {
  readonly conversationId: string;
  readonly requestId: string;
  readonly tenantId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** The customer whose data key seals the events' personal fields (see `personalFields.ts`). */
  readonly customerId?: string | null;
}

export interface EventFactoryOptions {
  /** Service name (and version) written into every event's `producer`. */
  readonly producer: string;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

export interface EventFactory {
  /**
   * Builds an event; pass `eventId` (and `occurredAt`) for events that must come out identical
   * when re-derived, otherwise a random id and the clock are used.
   */
  create<T extends EventType>(type: T, data: EventDataMap[T], context: EventContext, eventId?: string, occurredAt?: Date): SupportEvent<T>;
}

export function createEventFactory(options: EventFactoryOptions): EventFactory {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomId;
  return {
    create(type, data, context, eventId, occurredAt) {
      const metadata: EventMetadata = {
        eventId: eventId ?? ids(),
        type,
        occurredAt: occurredAt ?? clock(),
        conversationId: context.conversationId,
        requestId: context.requestId,
        tenantId: context.tenantId,
        causationId: context.causationId,
        correlationId: context.correlationId,
        producer: options.producer,
        customerId: context.customerId ?? null,
      };
      return { type, data, metadata };
    },
  };
}

/** The context for events caused by `cause`: same conversation and correlation, caused by it. */
export function causedBy(cause: SupportEvent): EventContext {
  const { conversationId, requestId, tenantId, correlationId, eventId } = cause.metadata;
  return { conversationId, requestId, tenantId, correlationId, causationId: eventId, customerId: customerOf(cause) };
}
