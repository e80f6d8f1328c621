import { describe, expect, it } from 'vitest';
import { seededConfig } from '../test/seed.js';
import { describeAgentSettingsStoreContract } from '../test/settingsStoreContract.js';
import { InMemoryAgentSettingsStore } from './settings.js';

describeAgentSettingsStoreContract('in-memory', () => {
  const store = new InMemoryAgentSettingsStore(seededConfig());
  const now = () => new Date();
  return Promise.resolve({
    store,
    putTenantRow: (agent, tenantId, columns) => {
      store.putAgentSettings({
        agent,
        tenantId,
        provider: columns.provider ?? null,
        model: columns.model ?? null,
        temperature: columns.temperature ?? null,
        maxTokens: null,
        systemPrompt: null,
        tone: columns.tone ?? null,
        updatedAt: now(),
      });
      return Promise.resolve();
    },
    setDefaultTone: async (agent, tone) => {
      const current = await store.agentSettings(agent, '*');
      store.putAgentSettings({ ...current, tenantId: '*', model: null, tone, updatedAt: now() });
    },
    expireCache: () => undefined,
    close: () => Promise.resolve(),
  });
});

describe('InMemoryAgentSettingsStore', () => {
  it('reports updatedAt of the newer of the two rows', async () => {
    const store = new InMemoryAgentSettingsStore(seededConfig(new Date('2025-01-01T00:00:00Z')));
    store.putAgentSettings({ agent: 'draft', tenantId: 't', provider: null, model: null, temperature: null, maxTokens: null, systemPrompt: null, tone: 'x', updatedAt: new Date('2025-02-01T00:00:00Z') });
    expect((await store.agentSettings('draft', 't')).updatedAt).toEqual(new Date('2025-02-01T00:00:00Z'));
  });
});
