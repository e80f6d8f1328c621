import type { EventFactory, TopicName } from '@supportstream/events';
import type { NodeName } from '@supportstream/graph';
import { mergeHandlers, type EventHandlers, type EventProducer, type MessageRoute } from '@supportstream/kafka';
import type { Logger, Registry } from '@supportstream/observability';
import { workerMetrics } from './metrics.js';
import { createApprovalResumer } from './reactors/approvalResumer.js';
import type { Reactor } from './reactors/reactor.js';
import { createRunStarter } from './reactors/runStarter.js';
import { createStepAdvancer } from './reactors/stepAdvancer.js';
import { createStepPublisher, type StepPublisher } from './reactors/stepPublisher.js';
import type { StepRunner } from './stepRunner.js';

export interface AgentWorkerOptions {
  /** Service name, e.g. `triage`; also the `producer` of the events it announces. */
  readonly service: string;
  /** Nodes this service runs when an AgentStepCompleted names them as `next`. */
  readonly nodes: readonly NodeName[];
  /** Starts runs for RequestReceived (and queued follow-ups after RunCompleted); must host `moderate`. */
  readonly startsRuns?: boolean;
  /** Resumes escalated runs on ApprovalDecided / ApprovalExpired. */
  readonly resumesApprovals?: boolean;
  readonly runner: StepRunner;
  readonly producer: EventProducer;
  readonly factory: EventFactory;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Attempts the consumer makes for a retriable failure (first try included), to say whether a StepFailed will be retried. */
  readonly maxAttempts?: number;
  /** Monotonic milliseconds, for step durations when the checkpoint has none; default performance.now. */
  readonly now?: () => number;
  /** Wraps the step publisher (tests inject faults here; production passes nothing). */
  readonly decoratePublisher?: (publisher: StepPublisher) => StepPublisher;
}

export interface AgentWorker {
  readonly topics: readonly TopicName[];
  readonly handlers: EventHandlers;
  /** Decides from a message's headers alone whether this worker wants it (route before decoding). */
  readonly accepts: (route: MessageRoute) => boolean;
}

/**
 * The consumer side of an agent service, as up to three reactors: one starts runs, one advances
 * them by the nodes the service hosts, one resumes them after a supervisor's decision. Stateless:
 * everything it needs is in the checkpoint and the event.
 */
export function createAgentWorker(options: AgentWorkerOptions): AgentWorker {
  const { runner, service } = options;
  const hosted = new Set<NodeName>(options.nodes);
  if (options.startsRuns && !hosted.has('moderate')) throw new Error(`${service}: a service that starts runs must host the moderate node`);
  const metrics = workerMetrics(options.metrics);
  const plain = createStepPublisher({
    service,
    producer: options.producer,
    factory: options.factory,
    metrics,
    maxAttempts: options.maxAttempts ?? 6,
    now: options.now ?? (() => performance.now()),
  });
  const publisher = options.decoratePublisher ? options.decoratePublisher(plain) : plain;
  const hosts = (node: NodeName) => hosted.has(node);

  const reactors: Reactor[] = [];
  if (options.startsRuns) reactors.push(createRunStarter({ service, runner, publisher, metrics, chain: hosts }));
  if (hosted.size > 0) reactors.push(createStepAdvancer({ service, runner, publisher, hosts }));
  if (options.resumesApprovals) {
    reactors.push(createApprovalResumer({ service, runner, publisher, producer: options.producer, factory: options.factory, metrics, chain: hosts }));
  }

  const topics = [...new Set(reactors.flatMap((reactor) => reactor.topics))];
  options.logger.child({ component: 'agent-worker' }).info({ service, nodes: options.nodes, topics }, 'agent worker ready');
  return {
    topics,
    handlers: reactors.reduce<EventHandlers>((merged, reactor) => mergeHandlers(merged, reactor.handlers), {}),
    accepts: (route) => reactors.some((reactor) => reactor.canHandle(route)),
  };
}
