import type { TopicName } from '@supportstream/events';
import type { EventHandlers, MessageRoute } from '@supportstream/kafka';

/**
 * A consumer that causes effects (emmett's reactor): the topics it reads, which messages it wants
 * (decided from the headers, before anything is decoded) and its handlers by event type.
 */
export interface Reactor {
  readonly topics: readonly TopicName[];
  readonly canHandle: (route: MessageRoute) => boolean;
  readonly handlers: EventHandlers;
}
