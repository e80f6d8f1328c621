import { DEFAULT_TEMPLATES } from '../src/prompts.js';
import type { AgentSettingsRow, InMemoryConfig, ProviderConfig } from '../src/settings.js';
import { TASK_NAMES } from '../src/tasks.js';

/**
 * What migration 002_llm_config seeds, as in-memory config. The integration test checks that
 * the database holds exactly this, so the in-memory twin and the migration cannot drift apart.
 */
export const SEED_PROVIDERS: readonly ProviderConfig[] = [
  { name: 'offline', kind: 'offline', baseUrl: null, apiKeyEnv: null, defaultModel: 'heuristic-v1', timeoutMs: 5000, maxRetries: 0, jsonMode: true },
  { name: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', defaultModel: 'gpt-4o-mini', timeoutMs: 30000, maxRetries: 2, jsonMode: true },
  { name: 'anthropic', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKeyEnv: 'ANTHROPIC_API_KEY', defaultModel: 'claude-haiku-4-5', timeoutMs: 30000, maxRetries: 2, jsonMode: true },
  { name: 'ollama', kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKeyEnv: null, defaultModel: 'llama3.1', timeoutMs: 60000, maxRetries: 1, jsonMode: true },
];

const SYSTEM_PROMPTS: Readonly<Record<string, string>> = {
  moderate: 'You screen incoming customer support messages for threats and abuse. You answer with JSON only.',
  triage: 'You triage customer support requests for an online shop: topic, urgency, sentiment, language and risk signals. You answer with JSON only.',
  draft:
    'You are a customer support agent for an online shop. You write accurate replies grounded only in the sources and facts you are given, and you never promise what nobody has checked. You answer with JSON only.',
  review: 'You are the quality reviewer of customer support replies: grounded, polite, correct, nothing promised that is not confirmed. You answer with JSON only.',
};

const LIMITS: Readonly<Record<string, { temperature: number; maxTokens: number }>> = {
  moderate: { temperature: 0, maxTokens: 256 },
  triage: { temperature: 0, maxTokens: 512 },
  draft: { temperature: 0.3, maxTokens: 800 },
  review: { temperature: 0, maxTokens: 400 },
};

export const SEED_AGENT_SETTINGS: readonly Omit<AgentSettingsRow, 'updatedAt'>[] = TASK_NAMES.map((agent) => ({
  agent,
  tenantId: '*',
  provider: 'offline',
  model: null,
  temperature: LIMITS[agent]?.temperature ?? 0,
  maxTokens: LIMITS[agent]?.maxTokens ?? 0,
  systemPrompt: SYSTEM_PROMPTS[agent] ?? '',
  tone: 'friendly and concise',
}));

export function seededConfig(updatedAt = new Date('2025-01-01T00:00:00Z')): InMemoryConfig {
  return {
    providers: SEED_PROVIDERS,
    agentSettings: SEED_AGENT_SETTINGS.map((row) => ({ ...row, updatedAt })),
    templates: TASK_NAMES.map((task) => ({ task, version: 1, template: DEFAULT_TEMPLATES[task] })),
  };
}
