import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InMemoryAgentSettingsStore, TASK_NAMES, type ProviderConfig } from '@supportstream/llm';
import { describe, expect, it } from 'vitest';
import {
  capturingResolver,
  OFFLINE_PROVIDER,
  offlineResolver,
  offlineSettingsStore,
  SEEDED_TONE,
  withProvider,
  type CapturedCall,
} from './evalModels.js';

const migration = fileURLToPath(new URL('../../../db/migrations/002_llm_config.sql', import.meta.url));

describe('offlineSettingsStore', () => {
  it('given migration 002, then every agent has its seeded prompt, limits and tone, on the seeded row', async () => {
    const sql = await readFile(migration, 'utf8');
    const store = offlineSettingsStore();
    for (const agent of TASK_NAMES) {
      const { temperature, maxTokens, systemPrompt } = await store.agentSettings(agent, 'tenant-a');
      const limits = `${temperature.toFixed(2)}, ${maxTokens}`;
      const row = `('${agent}', '*', 'offline', NULL, ${limits},\n   '${systemPrompt}',\n   '${SEEDED_TONE}')`;
      expect(sql).toContain(row);
    }
    const { name, kind, defaultModel, timeoutMs, maxRetries } = OFFLINE_PROVIDER;
    const nulls = 'NULL,                         NULL,               ';
    const limits = `${timeoutMs},  ${maxRetries}`;
    expect(sql).toContain(`('${name}',   '${kind}',   ${nulls} '${defaultModel}',     ${limits}, true)`);
  });
});

describe('withProvider', () => {
  it("given agents on another row, then they run on the chosen row's default model, with their prompts", async () => {
    const ollama: ProviderConfig = {
      ...OFFLINE_PROVIDER,
      name: 'ollama',
      kind: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      defaultModel: 'llama3.1',
    };
    const base = offlineSettingsStore();
    const seeded = new InMemoryAgentSettingsStore({ providers: [OFFLINE_PROVIDER, ollama] });
    for (const agent of TASK_NAMES) {
      seeded.putAgentSettings({ ...(await base.agentSettings(agent, '*')), tenantId: '*', model: null });
    }
    const { systemPrompt } = await base.agentSettings('draft', '*');
    const draft = await withProvider(seeded, 'ollama').agentSettings('draft', 'tenant-a');
    expect(draft).toMatchObject({ provider: 'ollama', model: 'llama3.1', systemPrompt });
    const offline = await withProvider(seeded, 'offline').agentSettings('draft', 'tenant-a');
    expect(offline).toMatchObject({ provider: 'offline', model: 'heuristic-v1' });
  });
});

describe('capturingResolver', () => {
  it('given a task run, then the request at the provider port is recorded and the answer is unchanged', async () => {
    const calls: CapturedCall[] = [];
    const input = { text: 'Where is my parcel? My number is +1 555 0163.' };
    const resolver = capturingResolver(offlineResolver(), (call) => calls.push(call));
    const captured = await resolver.run('moderate', input, { tenantId: 'tenant-a' });
    const direct = await offlineResolver().run('moderate', input, { tenantId: 'tenant-a' });

    expect(captured.output).toEqual(direct.output);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ task: 'moderate', provider: 'offline', model: 'heuristic-v1' });
    expect(calls[0]?.messages.map((message) => message.role)).toEqual(['system', 'user']);
    // The configured system prompt leads the system message (the prompt layer may add its own rules after it).
    const { systemPrompt } = await offlineSettingsStore().agentSettings('moderate', '*');
    expect(calls[0]?.messages[0]?.content.startsWith(systemPrompt)).toBe(true);
    expect(calls[0]?.messages[1]?.content).toContain('+1 555 0163');
  });
});
