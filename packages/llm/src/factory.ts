import { LlmConfigError } from './errors.js';
import type { ChatOptions } from './port.js';
import { createAnthropicChatModel } from './providers/anthropic.js';
import type { FetchLike } from './providers/http.js';
import { createOfflineChatModel } from './providers/offline.js';
import { createOpenAiCompatibleChatModel } from './providers/openAiCompatible.js';
import { withResilience, type ResilienceOptions, type ResilientChatModel } from './resilient.js';
import { runTask, type RunTaskOptions, type RunTaskResult } from './runTask.js';
import type { AgentSettings, AgentSettingsStore, ProviderConfig } from './settings.js';
import type { CircuitState } from './circuitBreaker.js';
import type { LlmMetrics } from './metrics.js';
import type { TaskInput, TaskName } from './tasks.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface CreateChatModelOptions {
  /** Overrides the provider's default model (an agent's setting). */
  readonly model?: string;
  readonly fetch?: FetchLike;
  /** Merged over the provider row's timeout and retries. */
  readonly resilience?: ResilienceOptions;
}

/**
 * Builds the adapter a provider row describes, wrapped in timeout, retries and a circuit breaker
 * (timeout and retries from the row). The API key is read from the environment variable the row
 * names; a named variable that is unset is a configuration error that names it.
 */
export function createChatModel(provider: ProviderConfig, env: Env = process.env, options: CreateChatModelOptions = {}): ResilientChatModel {
  const model = options.model ?? provider.defaultModel;
  const apiKey = provider.apiKeyEnv === null ? undefined : env[provider.apiKeyEnv];
  if (provider.apiKeyEnv !== null && (apiKey === undefined || apiKey === '')) {
    throw new LlmConfigError(`provider "${provider.name}" needs an API key in the environment variable ${provider.apiKeyEnv}, which is not set`);
  }
  const common = { name: provider.name, model, timeoutMs: provider.timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const base = (() => {
    switch (provider.kind) {
      case 'openai':
        return createOpenAiCompatibleChatModel({ ...common, apiKey, jsonMode: provider.jsonMode, ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}) });
      case 'anthropic':
        return createAnthropicChatModel({ ...common, apiKey, ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}) });
      case 'offline':
        // OFFLINE_LATENCY_MS simulates a real model's latency (load, benchmark and crash tests).
        return createOfflineChatModel({ name: provider.name, model, latencyMs: Number(env['OFFLINE_LATENCY_MS'] ?? 0) || 0 });
    }
  })();
  return withResilience(base, { timeoutMs: provider.timeoutMs, retries: provider.maxRetries, ...options.resilience });
}

export interface ResolvedAgent {
  readonly model: ResilientChatModel;
  readonly settings: AgentSettings;
  /** The active template from the store; undefined means the built-in default. */
  readonly template: string | undefined;
}

export interface ModelResolver {
  /** The model, settings and template in force now for this agent and tenant (agent defaults to the task). */
  resolve(request: { readonly task: TaskName; readonly tenantId: string; readonly agent?: string }): Promise<ResolvedAgent>;
  /** resolve + runTask; `node` (the graph node that asks, default the task) labels the call's metrics. */
  run<T extends TaskName>(task: T, input: TaskInput<T>, context: RunContext & ChatOptions & Omit<RunTaskOptions, 'signal'>): Promise<RunTaskResult<T>>;
  /** Every model built so far with its breaker state, for a metrics gauge. */
  circuitStates(): { readonly provider: string; readonly model: string; readonly state: CircuitState }[];
}

/** Whose call it is: the tenant (settings, metrics), the agent whose settings apply (default: the task) and the graph node. */
export interface RunContext {
  readonly tenantId: string;
  readonly agent?: string;
  readonly node?: string;
}

export interface ModelResolverOptions extends Omit<CreateChatModelOptions, 'model'> {
  readonly store: AgentSettingsStore;
  readonly env?: Env;
  /** Call latency, outcomes, tokens and cost by tenant, and the breakers' states (see createLlmMetrics). */
  readonly metrics?: LlmMetrics;
  /** Monotonic milliseconds for the metrics' durations; default performance.now. */
  readonly now?: () => number;
  /** The deployment's prompt canary (deriveCanary), in every system prompt; default DEFAULT_CANARY. */
  readonly canary?: string;
}

/**
 * Looks settings up on every call (the store caches them briefly), so a changed row applies
 * without a restart. Models are built once per (provider row, model) and reused, so their
 * circuit breakers see every call; a changed provider row builds a new model.
 */
export function createModelResolver(options: ModelResolverOptions): ModelResolver {
  const models = new Map<string, ResilientChatModel>();
  const env = options.env ?? process.env;

  async function resolve(request: { readonly task: TaskName; readonly tenantId: string; readonly agent?: string }): Promise<ResolvedAgent> {
    const settings = await options.store.agentSettings(request.agent ?? request.task, request.tenantId);
    const [provider, template] = await Promise.all([options.store.provider(settings.provider), options.store.template(request.task)]);
    const key = JSON.stringify([provider, settings.model]);
    let model = models.get(key);
    if (model === undefined) {
      model = createChatModel(provider, env, { model: settings.model, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.resilience ? { resilience: options.resilience } : {}) });
      models.set(key, model);
    }
    return { model, settings, template: template?.template };
  }

  const circuitStates = () => [...models.values()].map((model) => ({ provider: model.provider, model: model.model, state: model.circuitState }));
  const { metrics } = options;
  const now = options.now ?? (() => performance.now());
  metrics?.watchCircuits(circuitStates);

  return {
    resolve,
    async run(task, input, context) {
      const { tenantId, agent, node, ...runOptions } = context;
      const resolved = await resolve({ task, tenantId, ...(agent === undefined ? {} : { agent }) });
      const started = now();
      const seconds = () => Math.max(0, now() - started) / 1_000;
      try {
        const result = await runTask(resolved.model, task, input, { ...resolved.settings, template: resolved.template, ...(options.canary === undefined ? {} : { canary: options.canary }) }, runOptions);
        // Labelled with the model that answered, as LlmUsage events and the cost read model are.
        metrics?.observeCall({ provider: result.provider, model: result.model, node: node ?? task, tenant: tenantId }, { outcome: 'ok', seconds: seconds(), usage: result.usage, cost: result.cost });
        return result;
      } catch (error) {
        metrics?.observeCall({ provider: resolved.model.provider, model: resolved.model.model, node: node ?? task, tenant: tenantId }, { outcome: 'error', seconds: seconds() });
        throw error;
      }
    },
    circuitStates,
  };
}
