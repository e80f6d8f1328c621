import {
  createModelResolver,
  InMemoryAgentSettingsStore,
  OFFLINE_MODEL,
  runTask,
  TASK_NAMES,
  type AgentSettingsStore,
  type ChatMessage,
  type Env,
  type ModelResolver,
  type ProviderConfig,
  type ResilientChatModel,
  type TaskName,
} from '@supportstream/llm';

/** The offline provider row as migration 002_llm_config seeds it. */
export const OFFLINE_PROVIDER: ProviderConfig = {
  name: 'offline',
  kind: 'offline',
  baseUrl: null,
  apiKeyEnv: null,
  defaultModel: OFFLINE_MODEL,
  timeoutMs: 5000,
  maxRetries: 0,
  jsonMode: true,
};

/**
 * The agents' default rows of migration 002_llm_config, for a run that needs no database. The
 * offline provider ignores the system prompt, but the prompts are what the privacy and injection
 * checks read, so they are the ones the services send (evalModels.unit.test.ts compares them with
 * the migration). No template is stored: the built-in DEFAULT_TEMPLATES equal the seeded ones.
 */
interface SeededAgent {
  readonly temperature: number;
  readonly maxTokens: number;
  readonly systemPrompt: string;
}

const SEEDED_AGENTS: Readonly<Record<TaskName, SeededAgent>> = {
  moderate: {
    temperature: 0,
    maxTokens: 256,
    systemPrompt: 'You screen incoming customer support messages for threats and abuse. You answer with JSON only.',
  },
  triage: {
    temperature: 0,
    maxTokens: 512,
    systemPrompt:
      'You triage customer support requests for an online shop: topic, urgency, sentiment, language and risk ' +
      'signals. You answer with JSON only.',
  },
  draft: {
    temperature: 0.3,
    maxTokens: 800,
    systemPrompt:
      'You are a customer support agent for an online shop. You write accurate replies grounded only in the ' +
      'sources and facts you are given, and you never promise what nobody has checked. You answer with JSON only.',
  },
  review: {
    temperature: 0,
    maxTokens: 400,
    systemPrompt:
      'You are the quality reviewer of customer support replies: grounded, polite, correct, nothing promised that ' +
      'is not confirmed. You answer with JSON only.',
  },
};

export const SEEDED_TONE = 'friendly and concise';

/** The settings store of the default run: every agent on the offline provider, as seeded. */
export function offlineSettingsStore(): AgentSettingsStore {
  const updatedAt = new Date(0);
  return new InMemoryAgentSettingsStore({
    providers: [OFFLINE_PROVIDER],
    agentSettings: TASK_NAMES.map((agent) => ({
      agent,
      tenantId: '*',
      provider: OFFLINE_PROVIDER.name,
      model: null,
      tone: SEEDED_TONE,
      updatedAt,
      ...SEEDED_AGENTS[agent],
    })),
  });
}

/** The offline provider at 0 ms latency, whatever OFFLINE_LATENCY_MS says: no database, no network. */
export function offlineResolver(): ModelResolver {
  return createModelResolver({ store: offlineSettingsStore(), env: { OFFLINE_LATENCY_MS: '0' } });
}

/**
 * Every agent's settings with one provider row in place of its own: prompts, temperature and
 * tone stay as configured; the model is the row's default unless the agent already uses that row.
 */
export function withProvider(store: AgentSettingsStore, provider: string): AgentSettingsStore {
  return {
    async agentSettings(agent, tenantId) {
      const settings = await store.agentSettings(agent, tenantId);
      if (settings.provider === provider) return settings;
      return { ...settings, provider, model: (await store.provider(provider)).defaultModel };
    },
    provider: (name) => store.provider(name),
    template: (task) => store.template(task),
  };
}

/** The resolver of `--provider <row>`: the configured settings (as the services read them) on that row. */
export function configuredResolver(
  store: AgentSettingsStore,
  provider: string,
  env: Env = process.env,
): ModelResolver {
  return createModelResolver({ store: withProvider(store, provider), env });
}

/** One request to the provider port: the model asked and the messages it was sent. */
export interface CapturedCall {
  readonly task: string;
  readonly provider: string;
  readonly model: string;
  readonly messages: readonly ChatMessage[];
}

function capturing(model: ResilientChatModel, sink: (call: CapturedCall) => void): ResilientChatModel {
  return {
    provider: model.provider,
    model: model.model,
    get circuitState() {
      return model.circuitState;
    },
    complete(request, options) {
      sink({ task: request.task, provider: model.provider, model: model.model, messages: request.messages });
      return model.complete(request, options);
    },
  };
}

/**
 * A resolver that records every request at the provider port: the messages are exactly what an
 * external provider would receive (the adapters send them; only the offline provider reads the
 * structured input instead). Models, settings and circuit breakers are the inner resolver's.
 */
export function capturingResolver(inner: ModelResolver, sink: (call: CapturedCall) => void): ModelResolver {
  const resolve: ModelResolver['resolve'] = async (request) => {
    const resolved = await inner.resolve(request);
    return { ...resolved, model: capturing(resolved.model, sink) };
  };
  return {
    resolve,
    async run(task, input, context) {
      const { tenantId, agent, node: _node, ...options } = context;
      const resolved = await resolve({ task, tenantId, ...(agent === undefined ? {} : { agent }) });
      return runTask(resolved.model, task, input, { ...resolved.settings, template: resolved.template }, options);
    },
    circuitStates: () => inner.circuitStates(),
  };
}
