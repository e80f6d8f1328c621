import { errorCode, errorMessage, isRetriable } from '@supportstream/errors';
import { causedBy, deterministicEventId, type EventFactory, type SupportEvent } from '@supportstream/events';
import type { NodeName } from '@supportstream/graph';
import { HEADER, type EventProducer, type HandlerContext } from '@supportstream/kafka';
import type { WorkerMetrics } from '../metrics.js';
import { stepEvents } from '../stepEvents.js';
import { runIdOf, type StepOutcome } from '../stepRunner.js';

export interface StepPublisherOptions {
  readonly service: string;
  readonly producer: EventProducer;
  readonly factory: EventFactory;
  readonly metrics: WorkerMetrics;
  /** Attempts the consumer makes for a retriable failure (first try included), to say whether a StepFailed will be retried. */
  readonly maxAttempts: number;
  /** Monotonic milliseconds, for step durations when the checkpoint has none. */
  readonly now: () => number;
}

/** What every reactor does around the steps it runs: count and time them, announce them, report failures. */
export interface StepPublisher {
  /**
   * Runs `steps` (one or a chain under one lock); a failure becomes a StepFailed event (expected
   * failures are events) and is rethrown, so the consumer retries it or dead-letters the trigger.
   */
  run(failed: { readonly node: NodeName; readonly threadId: string; readonly fromCheckpointId: string }, trigger: SupportEvent, context: HandlerContext, steps: () => Promise<readonly StepOutcome[]>): Promise<readonly StepOutcome[]>;
  /** Announces the outcomes' checkpoints as events, in one produce (a chain's steps in order). */
  publish(outcomes: readonly StepOutcome[], trigger: SupportEvent, context: HandlerContext): Promise<void>;
}

export function createStepPublisher(options: StepPublisherOptions): StepPublisher {
  const { service, producer, factory, metrics } = options;

  function observe(outcome: StepOutcome, started: number): void {
    if (outcome.kind !== 'ran') return;
    // The node's own time, as in the step's events; the runner's wall time when there is none.
    const lastStep = outcome.snapshot.values.lastStep;
    const seconds = lastStep?.node === outcome.node ? lastStep.durationMs / 1_000 : Math.max(0, options.now() - started) / 1_000;
    metrics.stepDuration.observe({ service, node: outcome.node }, seconds);
  }

  return {
    async run(failedAt, trigger, context, steps) {
      const started = options.now();
      try {
        const outcomes = await steps();
        for (const outcome of outcomes) observe(outcome, started);
        return outcomes;
      } catch (error) {
        const retriable = isRetriable(error);
        const { node, threadId, fromCheckpointId } = failedAt;
        const failed = factory.create(
          'StepFailed',
          {
            runId: runIdOf(trigger.metadata.requestId),
            node,
            checkpointId: fromCheckpointId,
            attempt: context.attempt,
            errorCode: errorCode(error),
            errorMessage: errorMessage(error).slice(0, 2_000),
            retriable,
            willRetry: retriable && context.attempt < options.maxAttempts,
          },
          { ...causedBy(trigger) },
          deterministicEventId({ conversationId: threadId, checkpointId: fromCheckpointId, node, eventType: 'StepFailed', index: context.attempt }),
        );
        metrics.failures.inc({ service, node, retriable: String(retriable) });
        await producer.publish([failed]).catch((publishError: unknown) => context.logger.error({ err: publishError }, 'could not publish StepFailed'));
        throw error;
      }
    },

    async publish(outcomes, trigger, context) {
      const events: SupportEvent[] = [];
      const routing = new Map<string, Record<string, string>>();
      // In a chain, each step is caused by the one before it, as if the hand-off had gone through Kafka.
      let cause = trigger;
      for (const outcome of outcomes) {
        metrics.steps.inc({ service, node: outcome.node, outcome: outcome.kind });
        if (outcome.kind === 'stale') {
          context.logger.info({ node: outcome.node, next: outcome.snapshot.next }, 'trigger is stale: the thread has moved on; acknowledged');
          continue;
        }
        const announced = stepEvents(outcome, cause, factory);
        events.push(...announced);
        const runCompleted = announced.find((event) => event.type === 'RunCompleted');
        if (runCompleted) routing.set(runCompleted.metadata.eventId, { [HEADER.followUpQueued]: String(outcome.followUpQueued ?? true) });
        cause = announced.find((event) => event.type === 'AgentStepCompleted') ?? cause;
      }
      if (events.length > 0) await producer.publish(events, { routing });
    },
  };
}
