import { isRetriable } from '@supportstream/errors';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiCompletion, anthropicMessage, startFixtureServer, type FixtureServer } from '../test/fixtureServer.js';
import { SEED_PROVIDERS, seededConfig } from '../test/seed.js';
import { PgAgentSettingsStore, type Queryable } from './configStore.js';
import { LlmConfigError } from './errors.js';
import { createChatModel, createModelResolver } from './factory.js';
import { InMemoryAgentSettingsStore, type ProviderConfig } from './settings.js';

const provider = (name: string): ProviderConfig => {
  const found = SEED_PROVIDERS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(name);
  return found;
};
const OK = '{"verdict":"allow","categories":[],"reason":"ok"}';
const REQUEST = { task: 'moderate', input: { text: 'hi' }, messages: [{ role: 'user', content: 'hi' }], temperature: 0, maxTokens: 10, json: true } as const;

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(async () => {
  await server.close();
});

describe('createChatModel', () => {
  it('builds the offline provider without any key', async () => {
    const model = createChatModel(provider('offline'), {});
    expect(model).toMatchObject({ provider: 'offline', model: 'heuristic-v1', circuitState: 'closed' });
    expect(JSON.parse((await model.complete(REQUEST)).content)).toMatchObject({ verdict: 'allow' });
  });

  it('reads the key from the variable the row names and talks to the row base URL', async () => {
    server.reset();
    server.reply(openAiCompletion(OK));
    const model = createChatModel({ ...provider('openai'), baseUrl: `${server.baseUrl}/v1` }, { OPENAI_API_KEY: 'sk-from-env' }, { model: 'gpt-4.1-mini' });
    await model.complete(REQUEST);
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer sk-from-env');
    expect(server.requests[0]?.body).toMatchObject({ model: 'gpt-4.1-mini' });
  });

  it('builds the Anthropic adapter for kind anthropic', async () => {
    server.reset();
    server.reply(anthropicMessage(OK));
    const model = createChatModel({ ...provider('anthropic'), baseUrl: server.baseUrl }, { ANTHROPIC_API_KEY: 'sk-ant' });
    expect((await model.complete(REQUEST)).content).toBe(OK);
    expect(server.requests[0]).toMatchObject({ path: '/v1/messages', headers: { 'x-api-key': 'sk-ant' } });
  });

  it('fails fast, naming the variable, when the key variable is unset', () => {
    expect(() => createChatModel(provider('anthropic'), {})).toThrow(LlmConfigError);
    expect(() => createChatModel(provider('anthropic'), {})).toThrow(/ANTHROPIC_API_KEY/);
  });

  it('needs no key for a provider without api_key_env (Ollama)', () => {
    expect(createChatModel(provider('ollama'), {}).provider).toBe('ollama');
  });
});

describe('createModelResolver', () => {
  it('reuses one model (and breaker) per provider and model, and follows settings changes', async () => {
    const store = new InMemoryAgentSettingsStore(seededConfig());
    const resolver = createModelResolver({ store, env: {} });
    const first = await resolver.resolve({ task: 'moderate', tenantId: 't' });
    const second = await resolver.resolve({ task: 'triage', tenantId: 't' });
    expect(second.model).toBe(first.model);
    store.putAgentSettings({ agent: 'moderate', tenantId: 't', provider: 'ollama', model: null, temperature: null, maxTokens: null, systemPrompt: null, tone: null, updatedAt: new Date() });
    const switched = await resolver.resolve({ task: 'moderate', tenantId: 't' });
    expect(switched.model).toMatchObject({ provider: 'ollama', model: 'llama3.1' });
    expect(resolver.circuitStates()).toHaveLength(2);
  });

  it('runs a task with the agent settings of the tenant', async () => {
    const resolver = createModelResolver({ store: new InMemoryAgentSettingsStore(seededConfig()), env: {} });
    const result = await resolver.run('moderate', { text: 'fuck you' }, { tenantId: 't' });
    expect(result.output.verdict).toBe('block');
  });
});

describe('PgAgentSettingsStore caching', () => {
  function fakePool(handler: (text: string) => unknown[] | Error) {
    const queries: string[] = [];
    const pool: Queryable = {
      query: <R extends pg.QueryResultRow>(text: string) => {
        queries.push(text);
        const rows = handler(text);
        if (rows instanceof Error) return Promise.reject(rows);
        return Promise.resolve({ rows: rows as R[], command: 'SELECT', rowCount: rows.length, oid: 0, fields: [] });
      },
    };
    return { pool, queries };
  }
  const providerRow = { name: 'offline', kind: 'offline', base_url: null, api_key_env: null, default_model: 'heuristic-v1', timeout_ms: 5000, max_retries: 0, json_mode: true };

  it('shares one query between concurrent reads and reuses it until the TTL ends', async () => {
    let time = 0;
    const { pool, queries } = fakePool(() => [providerRow]);
    const store = new PgAgentSettingsStore({ pool, ttlMs: 100, now: () => time });
    await Promise.all([store.provider('offline'), store.provider('offline')]);
    time = 99;
    await store.provider('offline');
    expect(queries).toHaveLength(1);
    time = 100;
    await store.provider('offline');
    expect(queries).toHaveLength(2);
  });

  it('does not cache a failure, and marks a lost connection as retriable', async () => {
    let fail = true;
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const { pool } = fakePool(() => (fail ? lost : [providerRow]));
    const store = new PgAgentSettingsStore({ pool, now: () => 0 });
    const error = await store.provider('offline').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'LLM_CONFIG_UNAVAILABLE' });
    expect(isRetriable(error)).toBe(true);
    fail = false;
    expect((await store.provider('offline')).name).toBe('offline');
  });

  it('treats a missing table as a non-retriable configuration error', async () => {
    const missing = Object.assign(new Error('relation "llm_providers" does not exist'), { code: '42P01' });
    const store = new PgAgentSettingsStore({ pool: fakePool(() => missing).pool });
    const error = await store.provider('offline').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmConfigError);
    expect(isRetriable(error)).toBe(false);
  });
});
