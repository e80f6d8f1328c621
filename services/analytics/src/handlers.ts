import type { EventHandlers, HandlerContext } from '@supportstream/kafka';
import { registeredCounter, type Registry } from '@supportstream/observability';
import type { AnalyticsEvent } from './buckets.js';
import type { AnalyticsStore } from './store.js';

export interface AnalyticsHandlersOptions {
  readonly store: Pick<AnalyticsStore, 'apply'>;
  readonly metrics: Registry;
}

/**
 * The projector of system.analytics: each event is added to its tenant's minute in PostgreSQL,
 * once (its id is stored in the same transaction). `support_conversations_total` counts the
 * RequestOutcome events that were new.
 */
export function createAnalyticsHandlers(options: AnalyticsHandlersOptions): EventHandlers {
  const conversations = registeredCounter(options.metrics, 'support_conversations_total', 'Finished conversations (RequestOutcome events, each counted once), by tenant and outcome', ['tenant', 'outcome']);

  const apply = async (event: AnalyticsEvent, context: HandlerContext): Promise<void> => {
    const applied = await options.store.apply(event);
    if (!applied) {
      context.logger.debug({ eventId: event.metadata.eventId }, 'event already folded in; skipped');
      return;
    }
    if (event.type === 'RequestOutcome') conversations.inc({ tenant: event.metadata.tenantId, outcome: event.data.outcome });
  };
  return { RequestOutcome: apply, StepMetrics: apply, LlmUsage: apply };
}
