import { errorCode, errorMessage, isRetriable } from '@supportstream/errors';
import { causedBy, deterministicEventId, stableId, type EventFactory, type SupportEvent, type TopicName } from '@supportstream/events';
import { isNodeName, threadHistory, type ApprovalRequest, type ApprovalResume, type NodeName, type RequestInfo, type SupportGraph } from '@supportstream/graph';
import type { EventHandlers, EventProducer, HandlerContext } from '@supportstream/kafka';
import type { Logger, Registry } from '@supportstream/observability';
import { workerMetrics } from './metrics.js';
import { stepEvents } from './stepEvents.js';
import { runIdOf, type StepOutcome, type StepRunner } from './stepRunner.js';

export interface AgentWorkerOptions {
  /** Service name, e.g. `triage`. */
  readonly service: string;
  /** Nodes this service runs when an AgentStepCompleted names them as `next`. */
  readonly nodes: readonly NodeName[];
  /** Starts runs for RequestReceived (and queued follow-ups after RunCompleted); must host `moderate`. */
  readonly startsRuns?: boolean;
  /** Resumes escalated runs on ApprovalDecided / ApprovalExpired. */
  readonly resumesApprovals?: boolean;
  readonly runner: StepRunner;
  readonly graph: SupportGraph;
  readonly producer: EventProducer;
  readonly factory: EventFactory;
  readonly logger: Logger;
  readonly metrics: Registry;
  /**
   * Crash injection for the crash test (never set in production): the probability of killing the
   * process right after a step was checkpointed (before its events are produced), and right after
   * its events were produced (before the trigger's offset is committed).
   */
  readonly faults?: { readonly afterCheckpoint?: number; readonly afterPublish?: number; readonly random?: () => number };
  /** Attempts the consumer makes for a retriable failure (first try included), to say whether a StepFailed will be retried. */
  readonly maxAttempts?: number;
  /** Monotonic milliseconds, for step durations when the checkpoint has none; default performance.now. */
  readonly now?: () => number;
}

export interface AgentWorker {
  readonly topics: readonly TopicName[];
  readonly handlers: EventHandlers;
}

/**
 * The consumer side of an agent service: turns trigger events into graph steps and the steps'
 * checkpoints into events. Stateless: everything it needs is in the checkpoint and the event.
 */
export function createAgentWorker(options: AgentWorkerOptions): AgentWorker {
  const { runner, producer, factory, service } = options;
  const hosted = new Set<NodeName>(options.nodes);
  if (options.startsRuns && !hosted.has('moderate')) throw new Error(`${service}: a service that starts runs must host the moderate node`);
  const logger = options.logger.child({ component: 'agent-worker' });
  const { steps, stepDuration, refusals, queued, failures, decisionSeconds } = workerMetrics(options.metrics);
  const now = options.now ?? (() => performance.now());

  const random = options.faults?.random ?? Math.random;
  const maybeCrash = (probability: number | undefined, where: string) => {
    if (probability === undefined || probability <= 0 || random() >= probability) return;
    logger.warn({ where }, 'fault injection: killing this process');
    process.kill(process.pid, 'SIGKILL');
  };

  async function publishStep(outcome: StepOutcome, trigger: SupportEvent, context: HandlerContext): Promise<void> {
    steps.inc({ service, node: outcome.node, outcome: outcome.kind });
    if (outcome.kind === 'stale') {
      context.logger.info({ node: outcome.node, next: outcome.snapshot.next }, 'trigger is stale: the thread has moved on; acknowledged');
      return;
    }
    if (outcome.kind === 'ran') maybeCrash(options.faults?.afterCheckpoint, 'after checkpoint, before produce');
    await producer.publish(stepEvents(outcome, trigger, factory));
    maybeCrash(options.faults?.afterPublish, 'after produce, before commit');
  }

  const maxAttempts = options.maxAttempts ?? 6;

  /**
   * Runs a step; a failure becomes a StepFailed event (expected failures are events) and is then
   * rethrown, so the consumer retries it (retriable) or dead-letters the trigger (not retriable).
   */
  async function step(threadId: string, node: NodeName, fromCheckpointId: string, trigger: SupportEvent, context: HandlerContext, resume?: ApprovalResume): Promise<StepOutcome> {
    const started = now();
    try {
      const outcome = await runner.runStep(threadId, node, fromCheckpointId, resume);
      if (outcome.kind === 'ran') {
        // The node's own time, as in the step's events; the runner's wall time when there is none.
        const lastStep = outcome.snapshot.values.lastStep;
        const seconds = lastStep?.node === node ? lastStep.durationMs / 1_000 : Math.max(0, now() - started) / 1_000;
        stepDuration.observe({ service, node }, seconds);
      }
      return outcome;
    } catch (error) {
      const retriable = isRetriable(error);
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
          willRetry: retriable && context.attempt < maxAttempts,
        },
        { ...causedBy(trigger) },
        deterministicEventId({ conversationId: threadId, checkpointId: fromCheckpointId, node, eventType: 'StepFailed', index: context.attempt }),
      );
      failures.inc({ service, node, retriable: String(retriable) });
      await producer.publish([failed]).catch((publishError: unknown) => context.logger.error({ err: publishError }, 'could not publish StepFailed'));
      throw error;
    }
  }

  async function beginRun(trigger: SupportEvent, beginning: { checkpointId: string | undefined }, threadId: string, context: HandlerContext): Promise<void> {
    if (!beginning.checkpointId) return;
    await publishStep(await step(threadId, 'moderate', beginning.checkpointId, trigger, context), trigger, context);
  }

  const handlers: { -readonly [K in keyof EventHandlers]: EventHandlers[K] } = {};
  const topics = new Set<TopicName>();

  if (options.startsRuns) {
    topics.add('customer.requests');
    topics.add('agent.actions');
    handlers.RequestReceived = async (event, context) => {
      const request: RequestInfo = {
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
      };
      const started = await runner.startRun(request);
      if (started.kind === 'queued') {
        queued.inc({ service });
        context.logger.info({ requestId: request.requestId }, 'a run is in flight on this conversation; follow-up queued');
        return;
      }
      await beginRun(event, started.snapshot, request.conversationId, context);
    };
    handlers.RunCompleted = async (event, context) => {
      const next = await runner.startNextQueued(event.metadata.conversationId);
      if (next) await beginRun(event, next.snapshot, event.metadata.conversationId, context);
    };
  }

  if (options.nodes.length > 0) {
    topics.add('agent.actions');
    handlers.AgentStepCompleted = async (event, context) => {
      const next = event.data.next;
      if (next === null || !isNodeName(next) || !hosted.has(next)) return;
      await publishStep(await step(event.metadata.conversationId, next, event.data.checkpointId, event, context), event, context);
    };
  }

  if (options.resumesApprovals) {
    topics.add('human.approvals');
    // Every outcome's series exists from the start at 0: Prometheus takes a new series' first
    // sample as its baseline, so without this the first decision of each kind after a start
    // would never show in rate() or the quantiles.
    for (const outcome of ['APPROVED', 'REJECTED', 'EDITED', 'EXPIRED'] as const) decisionSeconds.zero({ outcome });
    const resume = async (event: SupportEvent, approvalId: string, decision: Omit<ApprovalResume, 'decisionEventId'>, context: HandlerContext) => {
      const threadId = event.metadata.conversationId;
      const current = await runner.readThread(threadId);
      const pending = current.interrupts[0] as ApprovalRequest | undefined;
      if (pending?.approvalId === approvalId && current.checkpointId) {
        const outcome = await step(threadId, 'escalate', current.checkpointId, event, context, { ...decision, decisionEventId: event.metadata.eventId });
        // Once per approval, before publishing: a redelivered decision finds the run resumed and takes the replay path below.
        if (outcome.kind === 'ran') {
          decisionSeconds.observe({ outcome: decision.decision }, Math.max(0, event.metadata.occurredAt.getTime() - Date.parse(pending.requestedAt)) / 1_000);
        }
        await publishStep(outcome, event, context);
        return;
      }
      // The same decision again (a redelivery): re-emit what it caused, nothing else.
      for await (const snapshot of threadHistory(options.graph, threadId, 200)) {
        const approval = snapshot.values.approval;
        if (snapshot.values.lastStep?.node === 'escalate' && approval?.approvalId === approvalId) {
          if (approval.decisionEventId === event.metadata.eventId) {
            await publishStep({ kind: 'replayed', node: 'escalate', snapshot }, event, context);
            return;
          }
          await refuse(event, approvalId, 'already_decided', `approval ${approvalId} was already ${String(approval.decision).toLowerCase()} by ${approval.decidedBy ?? 'someone'}`, context);
          return;
        }
      }
      await refuse(event, approvalId, 'unknown_approval', `no run of conversation ${threadId} waits for approval ${approvalId}`, context);
    };
    const refuse = async (event: SupportEvent, approvalId: string, reason: string, message: string, context: HandlerContext) => {
      refusals.inc({ service, reason });
      context.logger.warn({ approvalId, reason }, message);
      const alert = factory.create(
        'SupervisorAlert',
        { alertId: stableId('refused', event.metadata.eventId), severity: 'WARNING', reason: `approval_refused:${reason}`, message, approvalId },
        { conversationId: event.metadata.conversationId, requestId: event.metadata.requestId, tenantId: event.metadata.tenantId, correlationId: event.metadata.correlationId, causationId: event.metadata.eventId },
        stableId('refused', event.metadata.eventId),
        event.metadata.occurredAt,
      );
      await producer.publish([alert]);
    };
    handlers.ApprovalDecided = (event, context) =>
      resume(event, event.data.approvalId, { decision: event.data.decision, decidedBy: event.data.decidedBy, comment: event.data.comment, editedReply: event.data.editedReply }, context);
    handlers.ApprovalExpired = (event, context) =>
      resume(event, event.data.approvalId, { decision: 'EXPIRED', decidedBy: 'expiry', comment: `expired; ${event.data.fallbackPath}`, editedReply: null }, context);
  }

  logger.info({ service, nodes: options.nodes, topics: [...topics] }, 'agent worker ready');
  return { topics: [...topics], handlers };
}
