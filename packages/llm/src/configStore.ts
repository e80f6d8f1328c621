import { TransientError } from '@supportstream/errors';
import type pg from 'pg';
import { LlmConfigError } from './errors.js';
import {
  ALL_TENANTS,
  mergeAgentSettings,
  type AgentSettings,
  type AgentSettingsRow,
  type AgentSettingsStore,
  type PromptTemplate,
  type ProviderConfig,
  type ProviderKind,
} from './settings.js';
import { isTaskName, type TaskName } from './tasks.js';

/** Anything that runs a parameterized query: a pg.Pool, a client. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface PgAgentSettingsStoreOptions {
  /** A pool whose search_path finds the tables of migration 002_llm_config. */
  readonly pool: Queryable;
  /** How long a read is reused; an UPDATE is seen after at most this long. Default 2 s. */
  readonly ttlMs?: number;
  /** Milliseconds, for the cache; injected in tests. */
  readonly now?: () => number;
}

interface ProviderRecord extends pg.QueryResultRow {
  name: string;
  kind: string;
  base_url: string | null;
  api_key_env: string | null;
  default_model: string;
  timeout_ms: number;
  max_retries: number;
  json_mode: boolean;
}

interface SettingsRecord extends pg.QueryResultRow {
  agent: string;
  tenant_id: string;
  provider: string | null;
  model: string | null;
  temperature: string | null;
  max_tokens: number | null;
  system_prompt: string | null;
  tone: string | null;
  updated_at: Date;
}

interface TemplateRecord extends pg.QueryResultRow {
  task: string;
  version: number;
  template: string;
}

const PROVIDER_KINDS: readonly ProviderKind[] = ['openai', 'anthropic', 'offline'];

/**
 * Reads LLM configuration from PostgreSQL (tables of migration 002_llm_config), caching each
 * answer for `ttlMs` so that a changed row is picked up without a restart and the database is
 * not asked on every model call. Concurrent reads of one key share one query; failures are not
 * cached.
 */
export class PgAgentSettingsStore implements AgentSettingsStore {
  private readonly pool: Queryable;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { readonly expiresAt: number; readonly value: Promise<unknown> }>();

  constructor(options: PgAgentSettingsStoreOptions) {
    this.pool = options.pool;
    this.ttlMs = options.ttlMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  agentSettings(agent: string, tenantId: string): Promise<AgentSettings> {
    return this.cached(`settings\u0000${agent}\u0000${tenantId}`, async () => {
      const { rows } = await this.query<SettingsRecord>(
        `SELECT agent, tenant_id, provider, model, temperature::text AS temperature, max_tokens, system_prompt, tone, updated_at
           FROM agent_settings WHERE agent = $1 AND tenant_id = ANY($2::text[])`,
        [agent, [ALL_TENANTS, tenantId]],
      );
      const base = rows.find((row) => row.tenant_id === ALL_TENANTS);
      const override = tenantId === ALL_TENANTS ? undefined : rows.find((row) => row.tenant_id === tenantId);
      const providers = new Map<string, ProviderConfig>();
      for (const name of new Set([base?.provider, override?.provider])) {
        if (name) providers.set(name, await this.provider(name));
      }
      return mergeAgentSettings(base && toRow(base), override && toRow(override), (name) => providers.get(name), agent, tenantId);
    });
  }

  provider(name: string): Promise<ProviderConfig> {
    return this.cached(`provider\u0000${name}`, async () => {
      const { rows } = await this.query<ProviderRecord>(
        'SELECT name, kind, base_url, api_key_env, default_model, timeout_ms, max_retries, json_mode FROM llm_providers WHERE name = $1',
        [name],
      );
      const row = rows[0];
      if (row === undefined) throw new LlmConfigError(`no llm_providers row named "${name}"`);
      const kind = PROVIDER_KINDS.find((candidate) => candidate === row.kind);
      if (kind === undefined) throw new LlmConfigError(`llm_providers "${name}" has unknown kind "${row.kind}"`);
      return { name: row.name, kind, baseUrl: row.base_url, apiKeyEnv: row.api_key_env, defaultModel: row.default_model, timeoutMs: row.timeout_ms, maxRetries: row.max_retries, jsonMode: row.json_mode };
    });
  }

  template(task: TaskName): Promise<PromptTemplate | undefined> {
    return this.cached(`template\u0000${task}`, async () => {
      const { rows } = await this.query<TemplateRecord>('SELECT task, version, template FROM prompt_templates WHERE task = $1 AND active', [task]);
      const row = rows[0];
      if (row === undefined || !isTaskName(row.task)) return undefined;
      return { task: row.task, version: row.version, template: row.template };
    });
  }

  /** Forget every cached answer (e.g. after an admin change, to skip the wait). */
  invalidate(): void {
    this.cache.clear();
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { expiresAt: now + this.ttlMs, value });
    value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
    });
    return value;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      // The database being away is worth a retry; a missing table or column is not.
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && /^(08|53|57P)/.test(code)) throw new TransientError('LLM_CONFIG_UNAVAILABLE', `reading LLM config failed: ${(error as Error).message}`, { cause: error });
      if (typeof code !== 'string' && error instanceof Error && /ECONN|ETIMEDOUT|terminat/i.test(error.message)) {
        throw new TransientError('LLM_CONFIG_UNAVAILABLE', `reading LLM config failed: ${error.message}`, { cause: error });
      }
      throw new LlmConfigError(`reading LLM config failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

function toRow(record: SettingsRecord): AgentSettingsRow {
  return {
    agent: record.agent,
    tenantId: record.tenant_id,
    provider: record.provider,
    model: record.model,
    // numeric comes back as text from pg; two decimals fit a double exactly enough for a temperature.
    temperature: record.temperature === null ? null : Number(record.temperature),
    maxTokens: record.max_tokens,
    systemPrompt: record.system_prompt,
    tone: record.tone,
    updatedAt: record.updated_at,
  };
}
