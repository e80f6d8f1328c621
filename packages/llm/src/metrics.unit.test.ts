import { Registry, type Counter, type Gauge, type Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { openAiCompletion, openAiError, type ScriptedReply } from '../test/fixtureServer.js';
import { seededConfig } from '../test/seed.js';
import { CircuitOpenError } from './errors.js';
import { createModelResolver } from './factory.js';
import { createLlmMetrics } from './metrics.js';
import type { FetchLike } from './providers/http.js';
import { InMemoryAgentSettingsStore } from './settings.js';

const OK = '{"verdict":"allow","categories":[],"reason":"ok"}';

/** A fake provider on the wire: each fetch gets the next scripted reply. */
function scriptedFetch(replies: ScriptedReply[]): FetchLike {
  return () => {
    const reply = replies.shift() ?? openAiError(500, 'no scripted reply', 'server_error', null);
    return Promise.resolve(new Response(JSON.stringify(reply.body), { status: reply.status, headers: { 'content-type': 'application/json', ...reply.headers } }));
  };
}

async function valueOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name) as Counter | Gauge | undefined;
  const data = await metric?.get();
  return data?.values.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels[key] === value))?.value;
}

async function observations(registry: Registry, labels: Record<string, string>): Promise<number | undefined> {
  const data = await (registry.getSingleMetric('llm_request_duration_seconds') as Histogram | undefined)?.get();
  return data?.values.find((entry) => entry.metricName === 'llm_request_duration_seconds_count' && Object.entries(labels).every(([key, value]) => entry.labels[key] === value))?.value;
}

function resolverUnderTest(replies: ScriptedReply[]) {
  const registry = new Registry();
  const store = new InMemoryAgentSettingsStore(seededConfig());
  // tenant-a's moderation runs on OpenAI (faked on the wire); everything else stays offline.
  store.putAgentSettings({ agent: 'moderate', tenantId: 'tenant-a', provider: 'openai', model: null, temperature: null, maxTokens: null, systemPrompt: null, tone: null, updatedAt: new Date() });
  let time = 0;
  const resolver = createModelResolver({
    store,
    env: { OPENAI_API_KEY: 'sk-test' },
    fetch: scriptedFetch(replies),
    resilience: { retries: 0, breaker: { failureThreshold: 2, cooldownMs: 60_000 } },
    metrics: createLlmMetrics(registry),
    // Every call takes 250 ms on this clock.
    now: () => (time += 125),
  });
  return { registry, resolver };
}

describe('LLM metrics', () => {
  it('counts a successful call with its latency, tokens and cost by tenant', async () => {
    const { registry, resolver } = resolverUnderTest([openAiCompletion(OK, { model: 'gpt-4o-mini', promptTokens: 1_000, completionTokens: 100 })]);
    await resolver.run('moderate', { text: 'hello' }, { tenantId: 'tenant-a', node: 'moderate' });

    const call = { provider: 'openai', model: 'gpt-4o-mini', node: 'moderate' };
    expect(await valueOf(registry, 'llm_calls_total', { ...call, outcome: 'ok' })).toBe(1);
    expect(await observations(registry, call)).toBe(1);
    const data = await (registry.getSingleMetric('llm_request_duration_seconds') as Histogram).get();
    expect(data.values.find((entry) => entry.metricName === 'llm_request_duration_seconds_sum')?.value).toBeCloseTo(0.125, 6);
    expect(await valueOf(registry, 'llm_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', tenant: 'tenant-a', kind: 'prompt' })).toBe(1_000);
    expect(await valueOf(registry, 'llm_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', tenant: 'tenant-a', kind: 'completion' })).toBe(100);
    // gpt-4o-mini: 0.15 USD per million prompt tokens, 0.60 per million completion tokens.
    expect(await valueOf(registry, 'llm_cost_total', { provider: 'openai', model: 'gpt-4o-mini', tenant: 'tenant-a', currency: 'USD' })).toBeCloseTo(0.00021, 9);
    expect(await valueOf(registry, 'llm_circuit_open', { provider: 'openai' })).toBe(0);
  });

  it('counts failed calls and shows the circuit open once the breaker opens', async () => {
    const down = () => openAiError(503, 'overloaded', 'server_error', null);
    const { registry, resolver } = resolverUnderTest([down(), down()]);
    const moderate = () => resolver.run('moderate', { text: 'hello' }, { tenantId: 'tenant-a', node: 'moderate' });
    await expect(moderate()).rejects.toMatchObject({ retriable: true });
    expect(await valueOf(registry, 'llm_circuit_open', { provider: 'openai' })).toBe(0);
    await expect(moderate()).rejects.toMatchObject({ retriable: true });
    expect(await valueOf(registry, 'llm_circuit_open', { provider: 'openai' })).toBe(1);
    // Open: the third call fails fast without reaching the provider, and is an error too.
    await expect(moderate()).rejects.toBeInstanceOf(CircuitOpenError);

    const call = { provider: 'openai', model: 'gpt-4o-mini', node: 'moderate' };
    expect(await valueOf(registry, 'llm_calls_total', { ...call, outcome: 'error' })).toBe(3);
    expect(await valueOf(registry, 'llm_calls_total', { ...call, outcome: 'ok' })).toBeUndefined();
    expect(await observations(registry, call)).toBe(3);
    expect(await valueOf(registry, 'llm_tokens_total', { provider: 'openai' })).toBeUndefined();
  });

  it('labels calls with the task when no node is given, and shows every provider built, closed, as 0', async () => {
    const { registry, resolver } = resolverUnderTest([]);
    await resolver.resolve({ task: 'draft', tenantId: '*' });
    expect(await valueOf(registry, 'llm_circuit_open', { provider: 'offline' })).toBe(0);
    await resolver.run('triage', { message: 'Where is my parcel?', subject: null, customerTier: 'STANDARD', history: [] }, { tenantId: 'tenant-b' });
    const ran = (await (registry.getSingleMetric('llm_calls_total') as Counter).get()).values;
    expect(ran).toEqual([expect.objectContaining({ value: 1, labels: expect.objectContaining({ provider: 'offline', node: 'triage', outcome: 'ok' }) as unknown })]);
    expect(await valueOf(registry, 'llm_cost_total', { provider: 'offline', tenant: 'tenant-b', currency: 'USD' })).toBe(0);
  });

  it('shares one set of metrics per registry', () => {
    const registry = new Registry();
    expect(createLlmMetrics(registry)).toBe(createLlmMetrics(registry));
  });
});
