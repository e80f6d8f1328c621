import type { NodeContext, NodeName } from '@supportstream/graph';
import type { LlmMetrics, ModelResolver, RunTaskResult, TaskInput, TaskName, TaskOutput } from '@supportstream/llm';
import type { StepCallCache } from './callCache.js';

/** What agents need from the model layer: run a task for a tenant, within a step. */
export interface AgentModels {
  run<T extends TaskName>(context: NodeContext, tenantId: string, task: T, input: TaskInput<T>): Promise<TaskOutput<T>>;
}

type CachedResult<T extends TaskName> = Pick<RunTaskResult<T>, 'output' | 'usage' | 'cost' | 'latencyMs' | 'provider' | 'model'>;

/** The model tasks each node asks for, so a service can build (and watch) its providers at start. */
export const NODE_TASKS: Readonly<Partial<Record<NodeName, readonly TaskName[]>>> = {
  moderate: ['moderate'],
  triage: ['triage'],
  solution: ['draft'],
  quality: ['review'],
};

export function modelTasksOf(nodes: readonly NodeName[]): TaskName[] {
  return [...new Set(nodes.flatMap((node) => NODE_TASKS[node] ?? []))];
}

/**
 * Model calls through the resolver (settings from PostgreSQL, resilient provider adapters), each
 * cached under its step: a step re-run after a crash reuses the answer and records it as cached,
 * so the call is neither paid nor counted twice. `metrics` counts the cached answers (the
 * resolver's own metrics see the others).
 */
export function cachedModels(resolver: ModelResolver, cache: StepCallCache, options: { readonly metrics?: LlmMetrics } = {}): AgentModels {
  const calls = new WeakMap<NodeContext, number>();
  return {
    async run(context, tenantId, task, input) {
      const index = calls.get(context) ?? 0;
      calls.set(context, index + 1);
      const key = { threadId: context.threadId, stepKey: context.stepKey, node: context.node, index };
      const hit = (await cache.get(key)) as CachedResult<typeof task> | undefined;
      const result: CachedResult<typeof task> = hit ?? (await resolver.run(task, input, { tenantId, node: context.node, ...(context.signal ? { signal: context.signal } : {}) }));
      if (hit) options.metrics?.observeCached({ provider: result.provider, model: result.model, node: context.node, tenant: tenantId });
      else await cache.put(key, { output: result.output, usage: result.usage, cost: result.cost, latencyMs: result.latencyMs, provider: result.provider, model: result.model });
      context.recordLlmCall({
        task,
        provider: result.provider,
        model: result.model,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        latencyMs: result.latencyMs,
        costMicros: result.cost.amountMicros,
        currency: result.cost.currency,
        cached: hit !== undefined,
      });
      return result.output;
    },
  };
}
