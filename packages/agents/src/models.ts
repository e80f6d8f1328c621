import type { NodeContext } from '@supportstream/graph';
import type { ModelResolver, RunTaskResult, TaskInput, TaskName, TaskOutput } from '@supportstream/llm';
import type { StepCallCache } from './callCache.js';

/** What agents need from the model layer: run a task for a tenant, within a step. */
export interface AgentModels {
  run<T extends TaskName>(context: NodeContext, tenantId: string, task: T, input: TaskInput<T>): Promise<TaskOutput<T>>;
}

type CachedResult<T extends TaskName> = Pick<RunTaskResult<T>, 'output' | 'usage' | 'cost' | 'latencyMs' | 'provider' | 'model'>;

/**
 * Model calls through the resolver (settings from PostgreSQL, resilient provider adapters), each
 * cached under its step: a step re-run after a crash reuses the answer and records it as cached,
 * so the call is neither paid nor counted twice.
 */
export function cachedModels(resolver: ModelResolver, cache: StepCallCache): AgentModels {
  const calls = new WeakMap<NodeContext, number>();
  return {
    async run(context, tenantId, task, input) {
      const index = calls.get(context) ?? 0;
      calls.set(context, index + 1);
      const key = { threadId: context.threadId, stepKey: context.stepKey, node: context.node, index };
      const hit = (await cache.get(key)) as CachedResult<typeof task> | undefined;
      const result: CachedResult<typeof task> = hit ?? (await resolver.run(task, input, { tenantId, ...(context.signal ? { signal: context.signal } : {}) }));
      if (!hit) await cache.put(key, { output: result.output, usage: result.usage, cost: result.cost, latencyMs: result.latencyMs, provider: result.provider, model: result.model });
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
