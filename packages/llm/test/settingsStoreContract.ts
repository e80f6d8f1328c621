import { describe, expect, it } from 'vitest';
import { LlmConfigError } from '../src/errors.js';
import { DEFAULT_TEMPLATES } from '../src/prompts.js';
import type { AgentSettingsStore } from '../src/settings.js';

/** Changes a test makes to the configuration, applied the way each adapter's users would. */
export interface StoreHarness {
  readonly store: AgentSettingsStore;
  /** Inserts or replaces a row for (agent, tenant); omitted columns are NULL (inherit). */
  putTenantRow(agent: string, tenantId: string, columns: { provider?: string; model?: string; tone?: string; temperature?: number }): Promise<void>;
  setDefaultTone(agent: string, tone: string): Promise<void>;
  /** Lets the adapter's cache expire (a no-op where there is none). */
  expireCache(): void;
  close(): Promise<void>;
}

/** One suite, run against every AgentSettingsStore adapter, starting from the migration's seed. */
export function describeAgentSettingsStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`AgentSettingsStore contract: ${name}`, () => {
    const withHarness = (test: (harness: StoreHarness) => Promise<void>) => async () => {
      const harness = await open();
      try {
        await test(harness);
      } finally {
        await harness.close();
      }
    };

    it(
      'gives every tenant the * row, with the provider default model',
      withHarness(async ({ store }) => {
        expect(await store.agentSettings('triage', 'tenant-a')).toMatchObject({
          agent: 'triage',
          tenantId: 'tenant-a',
          provider: 'offline',
          model: 'heuristic-v1',
          temperature: 0,
          maxTokens: 512,
          tone: 'friendly and concise',
          tenantOverride: false,
        });
      }),
    );

    it(
      'lays a tenant row over the * row, column by column',
      withHarness(async (harness) => {
        await harness.putTenantRow('draft', 'tenant-formal', { tone: 'formal and precise', temperature: 0.1 });
        harness.expireCache();
        const settings = await harness.store.agentSettings('draft', 'tenant-formal');
        expect(settings).toMatchObject({ tone: 'formal and precise', temperature: 0.1, maxTokens: 800, provider: 'offline', tenantOverride: true });
        expect(settings.systemPrompt).toContain('customer support agent');
        expect((await harness.store.agentSettings('draft', 'tenant-other')).tone).toBe('friendly and concise');
      }),
    );

    it(
      "gives a tenant that switches provider the new provider's default model",
      withHarness(async (harness) => {
        await harness.putTenantRow('draft', 'tenant-openai', { provider: 'openai' });
        await harness.putTenantRow('triage', 'tenant-openai', { provider: 'openai', model: 'gpt-4.1-mini' });
        harness.expireCache();
        expect(await harness.store.agentSettings('draft', 'tenant-openai')).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
        expect(await harness.store.agentSettings('triage', 'tenant-openai')).toMatchObject({ provider: 'openai', model: 'gpt-4.1-mini' });
      }),
    );

    it(
      'sees a changed * row once the cache expired, without a restart',
      withHarness(async (harness) => {
        expect((await harness.store.agentSettings('review', 'tenant-a')).tone).toBe('friendly and concise');
        await harness.setDefaultTone('review', 'warm and thorough');
        harness.expireCache();
        expect((await harness.store.agentSettings('review', 'tenant-a')).tone).toBe('warm and thorough');
      }),
    );

    it(
      'fails with LlmConfigError for an unknown agent or provider',
      withHarness(async ({ store }) => {
        await expect(store.agentSettings('no-such-agent', 'tenant-a')).rejects.toBeInstanceOf(LlmConfigError);
        await expect(store.provider('no-such-provider')).rejects.toBeInstanceOf(LlmConfigError);
      }),
    );

    it(
      'returns providers with their key variable, never a key',
      withHarness(async ({ store }) => {
        expect(await store.provider('anthropic')).toEqual({
          name: 'anthropic',
          kind: 'anthropic',
          baseUrl: 'https://api.anthropic.com',
          apiKeyEnv: 'ANTHROPIC_API_KEY',
          defaultModel: 'claude-haiku-4-5',
          timeoutMs: 30000,
          maxRetries: 2,
          jsonMode: true,
        });
      }),
    );

    it(
      'returns the active template of each task',
      withHarness(async ({ store }) => {
        expect(await store.template('draft')).toEqual({ task: 'draft', version: 1, template: DEFAULT_TEMPLATES.draft });
      }),
    );
  });
}
