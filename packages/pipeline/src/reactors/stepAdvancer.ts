import { isNodeName, type NodeName } from '@supportstream/graph';
import type { StepRunner } from '../stepRunner.js';
import type { Reactor } from './reactor.js';
import type { StepPublisher } from './stepPublisher.js';

export interface StepAdvancerOptions {
  readonly service: string;
  readonly runner: StepRunner;
  readonly publisher: StepPublisher;
  /** The nodes this service runs when an AgentStepCompleted names them as `next`. */
  readonly hosts: (node: NodeName) => boolean;
}

/**
 * Advances runs: an AgentStepCompleted whose `next` this service hosts runs that step, and the
 * following ones it also hosts under the same lock. The events a service announced itself are
 * not its triggers: a step it hands to itself already ran in that chain.
 */
export function createStepAdvancer(options: StepAdvancerOptions): Reactor {
  const { runner, publisher, hosts, service } = options;
  return {
    topics: ['agent.actions'],
    canHandle: (route) => {
      if (route.eventType !== 'AgentStepCompleted') return false;
      // Without the routing header (an event from before it existed) the handler decides after decoding.
      if (route.nextNode === undefined) return true;
      return isNodeName(route.nextNode) && hosts(route.nextNode) && route.producer !== service;
    },
    handlers: {
      AgentStepCompleted: async (event, context) => {
        const next = event.data.next;
        // A step this service handed to itself already ran in that chain.
        if (next === null || !isNodeName(next) || !hosts(next) || event.metadata.producer === service) return;
        const threadId = event.metadata.conversationId;
        const fromCheckpointId = event.data.checkpointId;
        const outcomes = await publisher.run({ node: next, threadId, fromCheckpointId }, event, context, () =>
          runner.runSteps(threadId, next, fromCheckpointId, { chain: hosts }),
        );
        await publisher.publish(outcomes, event, context);
      },
    },
  };
}
