import { END, START, StateGraph, type BaseCheckpointSaver, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { assessRisk, afterEscalation, afterModeration, afterQuality, DEFAULT_POLICY, type EscalationPolicy, type ExpiryPath } from '@supportstream/domain';
import { PlatformError } from '@supportstream/errors';
import { NODE_NAMES, type NodeContext, type NodeImplementation, type NodeImplementations, type NodeName } from './nodes.js';
import { currentRunId, runUsageOf, stepCountOf, SupportState, withoutUnchanged, type LlmCallRecord, type SupportStateType, type SupportStateUpdate } from './state.js';

export interface SupportGraphOptions {
  /** The nodes this process runs; the others exist in the graph but are run by other services. */
  readonly nodes: NodeImplementations;
  readonly checkpointer: BaseCheckpointSaver;
  readonly policy?: EscalationPolicy;
  readonly expiryPath?: ExpiryPath;
  readonly clock?: () => Date;
}

function notHosted(node: NodeName): NodeImplementation {
  return () => Promise.reject(new PlatformError('NODE_NOT_HOSTED', `node ${node} is not run by this service; its trigger was routed to the wrong consumer`));
}

/**
 * Wraps a node implementation: gives it its context, times it, counts the step and records
 * what it did in `lastStep`, from which the step runner derives the step's events.
 */
function instrument(node: NodeName, implementation: NodeImplementation, policy: EscalationPolicy, clock: () => Date) {
  return async (state: SupportStateType, config: LangGraphRunnableConfig): Promise<SupportStateUpdate> => {
    const configurable = (config.configurable ?? {}) as Record<string, unknown>;
    const calls: LlmCallRecord[] = [];
    const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
    const context: NodeContext = {
      threadId: text(configurable['thread_id']) ?? '',
      node,
      // The same for every attempt of this step of this run (a run's id derives from its request),
      // whatever checkpoint ids an attempt that was rolled back had written.
      stepKey: text(configurable['step_key']) ?? (currentRunId(state) ? `${currentRunId(state)}:${stepCountOf(state)}` : (text(configurable['checkpoint_id']) ?? 'unkeyed')),
      signal: config.signal,
      recordLlmCall: (call) => calls.push(call),
    };
    const started = clock();
    const result = await implementation(state, context);
    // Only the channels the step changes: each channel written is a blob row of the checkpoint,
    // and nodes write some values as they found them (research's empty facts, respond's actions).
    const update: SupportStateUpdate = withoutUnchanged(result.update, state);
    // The graph owns the policy: every service routes with the same rules.
    if (node === 'solution') update.solutionAttempts = state.solutionAttempts + 1;
    if (node === 'quality' && result.update.review) {
      const merged = { ...state, ...update } as SupportStateType;
      if (merged.triageDecision && merged.draft && merged.review && merged.request) {
        update.risk = assessRisk(
          {
            tier: merged.request.customerTier,
            triage: merged.triageDecision,
            draft: merged.draft,
            review: merged.review,
            actions: merged.proposedActions,
            // The customer's own words, as moderation read them: money asked for there is checked
            // against the threshold whatever the tools found.
            requestText: [merged.request.subject, merged.request.message].filter(Boolean).join('\n'),
            moderation: merged.moderation,
          },
          policy,
        );
      }
    }
    const runUsage = calls.reduce(
      (usage, call) => ({
        llmCalls: usage.llmCalls + 1,
        promptTokens: usage.promptTokens + call.promptTokens,
        completionTokens: usage.completionTokens + call.completionTokens,
        costMicros: usage.costMicros + (call.cached ? 0 : call.costMicros),
      }),
      runUsageOf(state),
    );
    update.lastStep = {
      index: stepCountOf(state) + 1,
      runUsage,
      node,
      startedAt: started.toISOString(),
      durationMs: Math.max(0, clock().getTime() - started.getTime()),
      summary: result.summary,
      output: result.output ?? {},
      llmCalls: calls,
    };
    return update;
  };
}

/**
 * The support graph: moderate → triage → research → solution → quality → (respond | solution |
 * escalate); escalate → [interrupt] → respond | handoff; a blocked message → fallback.
 * Compiled with interruptBefore on every node, so one invoke runs exactly one step.
 */
export function buildSupportGraph(options: SupportGraphOptions) {
  const policy = options.policy ?? DEFAULT_POLICY;
  const clock = options.clock ?? (() => new Date());
  const node = (name: NodeName) => instrument(name, options.nodes[name] ?? notHosted(name), policy, clock);
  const graph = new StateGraph(SupportState)
    .addNode('moderate', node('moderate'))
    .addNode('triage', node('triage'))
    .addNode('research', node('research'))
    .addNode('solution', node('solution'))
    .addNode('quality', node('quality'))
    .addNode('escalate', node('escalate'))
    .addNode('respond', node('respond'))
    .addNode('handoff', node('handoff'))
    .addNode('fallback', node('fallback'))
    .addEdge(START, 'moderate')
    .addConditionalEdges('moderate', (state) => afterModeration(state.moderation), ['triage', 'fallback'])
    .addEdge('triage', 'research')
    .addEdge('research', 'solution')
    .addEdge('solution', 'quality')
    .addConditionalEdges(
      'quality',
      (state) => {
        if (!state.review) return 'escalate';
        const risk = state.risk ?? { escalate: true, reasons: ['no risk assessment'], risk: 'HIGH' as const, riskScore: 1 };
        return afterQuality(state.review, state.solutionAttempts, risk, policy);
      },
      ['respond', 'solution', 'escalate'],
    )
    .addConditionalEdges('escalate', (state) => afterEscalation(state.approval?.decision ?? 'REJECTED', options.expiryPath), ['respond', 'handoff'])
    .addEdge('respond', END)
    .addEdge('handoff', END)
    .addEdge('fallback', END);
  return graph.compile({ checkpointer: options.checkpointer, interruptBefore: [...NODE_NAMES] });
}

export type SupportGraph = ReturnType<typeof buildSupportGraph>;
