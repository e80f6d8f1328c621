import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOfflineChatModel } from './providers/offline.js';

const request = { task: 'moderate' as const, input: { text: 'hello' }, messages: [{ role: 'user' as const, content: 'hello' }], temperature: 0, maxTokens: 100, json: true };

afterEach(() => {
  vi.useRealTimers();
});

describe('offline provider simulated latency', () => {
  it('answers only after the configured latency, with the same answer', async () => {
    vi.useFakeTimers();
    const model = createOfflineChatModel({ latencyMs: 500 });
    let settled = false;
    const pending = model.complete(request).then((response) => {
      settled = true;
      return response;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const response = await pending;
    expect(JSON.parse(response.content)).toEqual(JSON.parse((await createOfflineChatModel().complete(request)).content));
  });

  it('gives up when the call is aborted while it waits', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const pending = createOfflineChatModel({ latencyMs: 10_000 }).complete(request, { signal: controller.signal });
    controller.abort(new Error('step cancelled'));
    await expect(pending).rejects.toThrow('step cancelled');
  });
});
