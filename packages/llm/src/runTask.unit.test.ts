import { isRetriable } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scriptedModel.js';
import { LlmConfigError, StructuredOutputError, TaskInputError } from './errors.js';
import { DEFAULT_CANARY, fenceRule } from './fence.js';
import { DEFAULT_TEMPLATES } from './prompts.js';
import { createOfflineChatModel } from './providers/offline.js';
import { extractJson, runTask, type TaskSettings } from './runTask.js';

const SETTINGS: TaskSettings = { temperature: 0, maxTokens: 256, systemPrompt: 'You screen messages.', tone: 'friendly and concise' };
const VALID = JSON.stringify({ verdict: 'allow', categories: [], reason: 'fine' });

describe('runTask', () => {
  it('renders system prompt, template, input and schema, and returns the validated output with usage and cost', async () => {
    const model = scriptedModel([VALID]);
    const result = await runTask(model, 'moderate', { text: 'Where is my parcel?' }, SETTINGS, { now: sequence(100, 142) });
    expect(result).toEqual({
      output: { verdict: 'allow', categories: [], reason: 'fine' },
      usage: { promptTokens: 1000, completionTokens: 100 },
      // gpt-4o-mini: 1000 × 0.15 + 100 × 0.60 = 210 micro-dollars
      cost: { amountMicros: 210, currency: 'USD' },
      priced: true,
      latencyMs: 42,
      provider: 'openai',
      model: 'gpt-4o-mini',
      attempts: 1,
    });
    const [request] = model.requests;
    expect(request).toMatchObject({ task: 'moderate', input: { text: 'Where is my parcel?' }, temperature: 0, maxTokens: 256, json: true });
    // The configured system prompt, then the fence rule with the canary (fence.ts).
    expect(request?.messages[0]).toEqual({ role: 'system', content: `You screen messages.\n\n${fenceRule(DEFAULT_CANARY)}` });
    expect(request?.messages[1]?.content).toMatch(/"text": "<untrusted kind=customer_message id=[0-9a-f]{8}>Where is my parcel\?<\/untrusted id=[0-9a-f]{8}>"/);
    expect(request?.messages[1]?.content).toContain('Answer with one JSON object only');
    expect(request?.messages[1]?.content).toContain('"verdict"');
  });

  it('given personal data in the input, then neither the prompt nor the structured input carries it in clear (unless told)', async () => {
    const text = 'Refund to card 4242 4242 4242 4242 please, or mail grace.hopper@example.com';
    const masked = scriptedModel([VALID]);
    await runTask(masked, 'moderate', { text }, SETTINGS);
    const sent = JSON.stringify(masked.requests[0]);
    for (const value of ['4242 4242 4242 4242', 'grace.hopper@example.com']) expect(sent).not.toContain(value);
    expect(sent).toContain('4242');
    expect(sent).toContain('Refund to card');

    const clear = scriptedModel([VALID]);
    await runTask(clear, 'moderate', { text }, SETTINGS, { maskPersonalData: false });
    expect(JSON.stringify(clear.requests[0])).toContain('grace.hopper@example.com');
  });

  it('tolerates code fences and prose around the JSON', async () => {
    const model = scriptedModel([`Sure, here it is:\n\`\`\`json\n${VALID}\n\`\`\`\nAnything else?`]);
    expect((await runTask(model, 'moderate', { text: 'hi' }, SETTINGS)).output.verdict).toBe('allow');
  });

  it('repairs once: sends the bad answer and the validation errors back, sums usage over both calls', async () => {
    const model = scriptedModel(['{"verdict": "maybe", "categories": []}', VALID]);
    const result = await runTask(model, 'moderate', { text: 'hi' }, SETTINGS);
    expect(result.attempts).toBe(2);
    expect(result.usage).toEqual({ promptTokens: 2000, completionTokens: 200 });
    const repair = model.requests[1]?.messages ?? [];
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: '{"verdict": "maybe", "categories": []}' });
    expect(repair.at(-1)?.content).toMatch(/verdict: .*; reason: /);
  });

  it('fails with a non-retriable STRUCTURED_OUTPUT_INVALID after a failed repair', async () => {
    const model = scriptedModel(['not json at all', '{"verdict": "allow"}']);
    const error = await runTask(model, 'moderate', { text: 'hi' }, SETTINGS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect(error).toMatchObject({ code: 'STRUCTURED_OUTPUT_INVALID', retriable: false });
    expect(model.requests).toHaveLength(2);
  });

  it('rejects an invalid input before calling the model', async () => {
    const model = scriptedModel([VALID]);
    const error = await runTask(model, 'triage', { message: 'hi' } as never, SETTINGS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskInputError);
    expect(isRetriable(error)).toBe(false);
    expect(model.requests).toHaveLength(0);
  });

  it('passes provider errors through unchanged', async () => {
    const failure = new Error('boom');
    await expect(runTask(scriptedModel([failure]), 'moderate', { text: 'hi' }, SETTINGS)).rejects.toBe(failure);
  });

  it('flags an unknown model as unpriced with cost 0', async () => {
    const result = await runTask(scriptedModel([VALID], { provider: 'ollama', model: 'llama3.1' }), 'moderate', { text: 'hi' }, SETTINGS);
    expect(result).toMatchObject({ cost: { amountMicros: 0, currency: 'USD' }, priced: false });
  });

  it('uses a stored template with placeholders, and appends the JSON instruction when it has no {{schema}}', async () => {
    const model = scriptedModel([VALID]);
    await runTask(model, 'moderate', { text: 'hi there' }, { ...SETTINGS, template: 'Task {{task}} in tone {{tone}}: {{input.text}}' });
    const content = model.requests[0]?.messages[1]?.content ?? '';
    expect(content).toMatch(/^Task moderate in tone friendly and concise: <untrusted kind=customer_message id=[0-9a-f]{8}>hi there<\/untrusted id=[0-9a-f]{8}>\n\nAnswer with one JSON object only/);
  });

  it('fails on an unknown placeholder', async () => {
    await expect(runTask(scriptedModel([VALID]), 'moderate', { text: 'hi' }, { ...SETTINGS, template: '{{nope}}' })).rejects.toBeInstanceOf(LlmConfigError);
  });

  it('runs every task end to end on the offline provider with estimated tokens', async () => {
    const offline = createOfflineChatModel();
    const message = 'I want a refund of €49.99 for order #1001, the headphones broke.';
    const triaged = await runTask(offline, 'triage', { message, subject: null, customerTier: 'STANDARD', history: [] }, SETTINGS);
    expect(triaged.output).toMatchObject({ category: 'refund', orderId: '1001' });
    expect(triaged).toMatchObject({ provider: 'offline', model: 'heuristic-v1', attempts: 1, priced: true, cost: { amountMicros: 0 } });
    expect(triaged.usage.promptTokens).toBeGreaterThan(DEFAULT_TEMPLATES.triage.length / 4);
    const sources = [{ id: 'kb-1', title: 'Refunds', text: 'A refund for broken headphones is issued within 5 days of the return.', score: 0.9 }];
    const drafted = await runTask(offline, 'draft', { message, triage: triaged.output, sources, facts: [], tone: 'friendly', previousIssues: [] }, SETTINGS);
    expect(drafted.output.citations).toEqual(['kb-1']);
    const reviewed = await runTask(offline, 'review', { message, reply: drafted.output.reply, citations: drafted.output.citations, sources, triage: triaged.output }, SETTINGS);
    expect(reviewed.output.verdict).toBe('pass');
  });
});

describe('extractJson', () => {
  it.each([
    ['{"a":1}', '{"a":1}'],
    ['```json\n{"a":1}\n```', '{"a":1}'],
    ['```\n{"a":1}\n```', '{"a":1}'],
    ['Here you go: {"a":{"b":2}} cheers', '{"a":{"b":2}}'],
  ])('%j → %j', (content, json) => {
    expect(extractJson(content)).toBe(json);
  });
});

function sequence(...values: number[]): () => number {
  return () => values.shift() ?? 0;
}
