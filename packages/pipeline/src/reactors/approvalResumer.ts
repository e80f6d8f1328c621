import { causedBy, stableId, type EventFactory, type SupportEvent } from '@supportstream/events';
import type { ApprovalResume, NodeName } from '@supportstream/graph';
import type { EventProducer, HandlerContext } from '@supportstream/kafka';
import type { WorkerMetrics } from '../metrics.js';
import type { StepRunner } from '../stepRunner.js';
import type { Reactor } from './reactor.js';
import type { StepPublisher } from './stepPublisher.js';

export interface ApprovalResumerOptions {
  readonly service: string;
  readonly runner: StepRunner;
  readonly publisher: StepPublisher;
  readonly producer: EventProducer;
  readonly factory: EventFactory;
  readonly metrics: WorkerMetrics;
  /** Nodes of this service that run right after the resumed escalate step in the same lock. */
  readonly chain: (node: NodeName) => boolean;
}

const OUTCOMES = ['APPROVED', 'REJECTED', 'EDITED', 'EXPIRED'] as const;

/**
 * Resumes escalated runs: ApprovalDecided or ApprovalExpired resumes the run waiting at that
 * approval (Command({ resume })). A redelivered decision re-announces what it caused; a second,
 * different decision or one for no waiting run is refused with a SupervisorAlert.
 */
export function createApprovalResumer(options: ApprovalResumerOptions): Reactor {
  const { runner, publisher, metrics, service, factory, producer } = options;
  // Every outcome's series exists from the start at 0: Prometheus takes a new series' first
  // sample as its baseline, so without this the first decision of each kind after a start
  // would never show in rate() or the quantiles.
  for (const outcome of OUTCOMES) metrics.decisionSeconds.zero({ outcome });

  async function refuse(event: SupportEvent, approvalId: string, reason: string, message: string, context: HandlerContext): Promise<void> {
    metrics.refusals.inc({ service, reason });
    context.logger.warn({ approvalId, reason }, message);
    const alertId = stableId('refused', event.metadata.eventId);
    const alert = factory.create(
      'SupervisorAlert',
      { alertId, severity: 'WARNING', reason: `approval_refused:${reason}`, message, approvalId },
      causedBy(event),
      alertId,
      event.metadata.occurredAt,
    );
    await producer.publish([alert]);
  }

  async function resume(event: SupportEvent, approvalId: string, decision: Omit<ApprovalResume, 'decisionEventId'>, context: HandlerContext): Promise<void> {
    const threadId = event.metadata.conversationId;
    const resumeWith: ApprovalResume = { ...decision, decisionEventId: event.metadata.eventId };
    let refused: { reason: string; message: string } | undefined;
    let requestedAt: string | undefined;
    // A failure is announced against the checkpoint the run waits at, which the runner reads under its lock.
    const failedAt = { node: 'escalate' as const, threadId, fromCheckpointId: '' };
    const outcomes = await publisher.run(failedAt, event, context, async () => {
      const outcome = await runner.resumeApproval(threadId, approvalId, resumeWith, {
        chain: options.chain,
        onResuming: (fromCheckpointId) => {
          failedAt.fromCheckpointId = fromCheckpointId;
        },
      });
      if (outcome.kind === 'refused') {
        refused = outcome;
        return [];
      }
      requestedAt = outcome.requestedAt;
      return outcome.steps;
    });
    if (refused) {
      await refuse(event, approvalId, refused.reason, refused.message, context);
      return;
    }
    // Once per approval: a redelivered decision finds the run resumed and takes the replay path.
    if (requestedAt !== undefined && outcomes[0]?.kind === 'ran') {
      metrics.decisionSeconds.observe({ outcome: decision.decision }, Math.max(0, event.metadata.occurredAt.getTime() - Date.parse(requestedAt)) / 1_000);
    }
    await publisher.publish(outcomes, event, context);
  }

  return {
    topics: ['human.approvals'],
    canHandle: (route) => route.eventType === 'ApprovalDecided' || route.eventType === 'ApprovalExpired',
    handlers: {
      ApprovalDecided: (event, context) =>
        resume(event, event.data.approvalId, { decision: event.data.decision, decidedBy: event.data.decidedBy, comment: event.data.comment, editedReply: event.data.editedReply }, context),
      ApprovalExpired: (event, context) =>
        resume(event, event.data.approvalId, { decision: 'EXPIRED', decidedBy: 'expiry', comment: `expired; ${event.data.fallbackPath}`, editedReply: null }, context),
    },
  };
}
