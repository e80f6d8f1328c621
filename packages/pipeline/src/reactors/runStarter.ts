import type { SupportEvent } from '@supportstream/events';
import type { NodeName, RequestInfo } from '@supportstream/graph';
import type { HandlerContext } from '@supportstream/kafka';
import type { WorkerMetrics } from '../metrics.js';
import type { StartOutcome, StepRunner } from '../stepRunner.js';
import type { Reactor } from './reactor.js';
import type { StepPublisher } from './stepPublisher.js';

export interface RunStarterOptions {
  readonly service: string;
  readonly runner: StepRunner;
  readonly publisher: StepPublisher;
  readonly metrics: WorkerMetrics;
  /** Nodes of this service that run right after moderate in the same lock (triage, fallback). */
  readonly chain: (node: NodeName) => boolean;
}

export const requestInfoOf = (event: SupportEvent<'RequestReceived'>): RequestInfo => ({
  requestId: event.metadata.requestId,
  conversationId: event.metadata.conversationId,
  tenantId: event.metadata.tenantId,
  customerId: event.data.customerId,
  customerTier: event.data.customerTier,
  channel: event.data.channel,
  subject: event.data.subject,
  message: event.data.message,
  correlationId: event.metadata.correlationId,
  receivedEventId: event.metadata.eventId,
  receivedAt: event.metadata.occurredAt.toISOString(),
});

/**
 * Starts runs: a RequestReceived begins its conversation's run (or is queued behind the run in
 * flight), and a RunCompleted starts the oldest queued follow-up. The run's first step
 * (moderate) runs at once, and the steps after it that this service hosts run in the same lock.
 */
export function createRunStarter(options: RunStarterOptions): Reactor {
  const { runner, publisher, service } = options;

  /** Starts (or finds) a run and runs its first steps in one lock; a failure is a StepFailed of moderate. */
  async function start(trigger: SupportEvent, context: HandlerContext, begin: () => Promise<StartOutcome | undefined>): Promise<void> {
    let started: StartOutcome | undefined;
    // Until the run exists, a failure is reported against the request itself.
    const failedAt = { node: 'moderate' as const, threadId: trigger.metadata.conversationId, fromCheckpointId: trigger.metadata.eventId };
    const steps = await publisher.run(failedAt, trigger, context, async () => {
      started = await begin();
      if (started?.snapshot.checkpointId) failedAt.fromCheckpointId = started.snapshot.checkpointId;
      return started?.steps ?? [];
    });
    if (started?.kind === 'queued') {
      options.metrics.queued.inc({ service });
      context.logger.info({ requestId: trigger.metadata.requestId }, 'a run is in flight on this conversation; follow-up queued');
      return;
    }
    await publisher.publish(steps, trigger, context);
  }

  return {
    topics: ['customer.requests', 'agent.actions'],
    // A RunCompleted matters only when a follow-up waits (its header says so; without it, look).
    canHandle: (route) => route.eventType === 'RequestReceived' || (route.eventType === 'RunCompleted' && route.followUpQueued !== 'false'),
    handlers: {
      RequestReceived: (event, context) => start(event, context, () => runner.startRun(requestInfoOf(event), { chain: options.chain })),
      RunCompleted: (event, context) => start(event, context, () => runner.startNextQueued(event.metadata.conversationId, { chain: options.chain })),
    },
  };
}
