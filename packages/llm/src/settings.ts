import { LlmConfigError } from './errors.js';
import type { TaskName } from './tasks.js';

/** LLM configuration: providers, per-agent settings with tenant overrides, prompt templates. */

export type ProviderKind = 'openai' | 'anthropic' | 'offline';

/** A row of `llm_providers`. The key itself never lives in the database, only its variable's name. */
export interface ProviderConfig {
  readonly name: string;
  readonly kind: ProviderKind;
  readonly baseUrl: string | null;
  readonly apiKeyEnv: string | null;
  readonly defaultModel: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly jsonMode: boolean;
}

/** A row of `agent_settings`. In a tenant's row every null inherits from the agent's `*` row. */
export interface AgentSettingsRow {
  readonly agent: string;
  readonly tenantId: string;
  readonly provider: string | null;
  readonly model: string | null;
  readonly temperature: number | null;
  readonly maxTokens: number | null;
  readonly systemPrompt: string | null;
  readonly tone: string | null;
  readonly updatedAt: Date;
}

/** The settings in force for one agent and tenant. */
export interface AgentSettings {
  readonly agent: string;
  readonly tenantId: string;
  readonly provider: string;
  readonly model: string;
  readonly temperature: number;
  readonly maxTokens: number;
  readonly systemPrompt: string;
  readonly tone: string;
  /** True when a tenant-specific row contributed. */
  readonly tenantOverride: boolean;
  readonly updatedAt: Date;
}

export interface PromptTemplate {
  readonly task: TaskName;
  readonly version: number;
  readonly template: string;
}

export const ALL_TENANTS = '*';

/** The port. Adapters: PostgreSQL (`PgAgentSettingsStore`) and in-memory (`InMemoryAgentSettingsStore`). */
export interface AgentSettingsStore {
  /** The tenant's row over the agent's `*` row; fails with LlmConfigError when the agent has no `*` row. */
  agentSettings(agent: string, tenantId: string): Promise<AgentSettings>;
  /** Fails with LlmConfigError when no such provider exists. */
  provider(name: string): Promise<ProviderConfig>;
  /** The active template of a task, if one is stored. */
  template(task: TaskName): Promise<PromptTemplate | undefined>;
}

/**
 * Merges a tenant's row over the `*` row. A tenant that switches provider without naming a
 * model gets the new provider's default model, never the old provider's model.
 */
export function mergeAgentSettings(
  base: AgentSettingsRow | undefined,
  override: AgentSettingsRow | undefined,
  providerOf: (name: string) => ProviderConfig | undefined,
  agent: string,
  tenantId: string,
): AgentSettings {
  if (base === undefined) throw new LlmConfigError(`no agent_settings row for agent "${agent}" and tenant "${ALL_TENANTS}"`);
  const pick = <K extends keyof AgentSettingsRow>(key: K): NonNullable<AgentSettingsRow[K]> => {
    const value = override?.[key] ?? base[key];
    if (value === null || value === undefined) throw new LlmConfigError(`agent_settings for "${agent}": ${String(key)} is not set`);
    return value;
  };
  const provider = pick('provider');
  const config = providerOf(provider);
  if (config === undefined) throw new LlmConfigError(`agent_settings for "${agent}"/"${tenantId}" name provider "${provider}", which is not in llm_providers`);
  const switchedProvider = (override?.provider ?? null) !== null && override?.provider !== base.provider;
  const model = override?.model ?? (switchedProvider ? null : base.model) ?? config.defaultModel;
  const updatedAt = override && override.updatedAt > base.updatedAt ? override.updatedAt : base.updatedAt;
  return {
    agent,
    tenantId,
    provider,
    model,
    temperature: pick('temperature'),
    maxTokens: pick('maxTokens'),
    systemPrompt: pick('systemPrompt'),
    tone: pick('tone'),
    tenantOverride: override !== undefined,
    updatedAt,
  };
}

export interface InMemoryConfig {
  readonly providers?: readonly ProviderConfig[];
  readonly agentSettings?: readonly AgentSettingsRow[];
  readonly templates?: readonly PromptTemplate[];
}

/** The in-memory twin, for unit tests and for running without a database. Changes apply at once. */
export class InMemoryAgentSettingsStore implements AgentSettingsStore {
  private readonly providers = new Map<string, ProviderConfig>();
  private readonly rows = new Map<string, AgentSettingsRow>();
  private readonly templates = new Map<TaskName, PromptTemplate>();

  constructor(config: InMemoryConfig = {}) {
    for (const provider of config.providers ?? []) this.putProvider(provider);
    for (const row of config.agentSettings ?? []) this.putAgentSettings(row);
    for (const template of config.templates ?? []) this.putTemplate(template);
  }

  putProvider(provider: ProviderConfig): void {
    this.providers.set(provider.name, provider);
  }

  putAgentSettings(row: AgentSettingsRow): void {
    this.rows.set(`${row.agent}\u0000${row.tenantId}`, row);
  }

  putTemplate(template: PromptTemplate): void {
    this.templates.set(template.task, template);
  }

  agentSettings(agent: string, tenantId: string): Promise<AgentSettings> {
    return Promise.resolve().then(() => {
      const base = this.rows.get(`${agent}\u0000${ALL_TENANTS}`);
      const override = tenantId === ALL_TENANTS ? undefined : this.rows.get(`${agent}\u0000${tenantId}`);
      return mergeAgentSettings(base, override, (name) => this.providers.get(name), agent, tenantId);
    });
  }

  provider(name: string): Promise<ProviderConfig> {
    const provider = this.providers.get(name);
    return provider ? Promise.resolve(provider) : Promise.reject(new LlmConfigError(`no llm_providers row named "${name}"`));
  }

  template(task: TaskName): Promise<PromptTemplate | undefined> {
    return Promise.resolve(this.templates.get(task));
  }
}
