import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scriptedModel.js';
import type { CircuitState } from './circuitBreaker.js';
import { CircuitOpenError, LlmTimeoutError, ProviderRequestError, ProviderUnavailableError, RateLimitError } from './errors.js';
import type { ChatRequest, ChatResponse } from './port.js';
import { withResilience } from './resilient.js';

const REQUEST: ChatRequest = { task: 'moderate', input: { text: 'hi' }, messages: [{ role: 'user', content: 'hi' }], temperature: 0, maxTokens: 10, json: true };
const OK = '{"verdict":"allow","categories":[],"reason":"ok"}';
const down = () => new ProviderUnavailableError('HTTP 503: down');
const denied = () => new ProviderRequestError(401, 'HTTP 401: invalid api key');
const fast = { minDelayMs: 1, maxDelayMs: 2 };

function fakeClock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('retries', () => {
  it('retries a retriable error with backoff and returns the later success', async () => {
    const model = scriptedModel([down(), down(), OK]);
    const retries: number[] = [];
    const resilient = withResilience(model, { ...fast, retries: 2, onRetry: ({ attempt }) => retries.push(attempt) });
    expect((await resilient.complete(REQUEST)).content).toBe(OK);
    expect(model.requests).toHaveLength(3);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after the configured retries with the last error', async () => {
    const model = scriptedModel([down(), down(), down()]);
    await expect(withResilience(model, { ...fast, retries: 1 }).complete(REQUEST)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(model.requests).toHaveLength(2);
  });

  it('never retries a non-retriable error', async () => {
    const model = scriptedModel([denied(), OK]);
    await expect(withResilience(model, { ...fast, retries: 3 }).complete(REQUEST)).rejects.toMatchObject({ code: 'LLM_AUTH_FAILED', retriable: false });
    expect(model.requests).toHaveLength(1);
  });

  it('waits at least retry-after before the next attempt (backoff covers the rest)', async () => {
    const slept: number[] = [];
    const model = scriptedModel([new RateLimitError('rate limited', 5_000), OK]);
    const resilient = withResilience(model, { minDelayMs: 10, maxDelayMs: 20, sleep: (ms) => (slept.push(ms), Promise.resolve()) });
    expect((await resilient.complete(REQUEST)).content).toBe(OK);
    // p-retry's own first delay is at least minDelayMs (10), so 4 990 more make 5 000.
    expect(slept).toEqual([4_990]);
  });

  it('hands a retry-after beyond maxRetryAfterMs to the caller instead of waiting', async () => {
    const model = scriptedModel([new RateLimitError('rate limited', 120_000), OK]);
    const error = await withResilience(model, { ...fast, maxRetryAfterMs: 60_000 }).complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'LLM_RATE_LIMITED', retriable: true, retryAfterMs: 120_000 });
    expect(model.requests).toHaveLength(1);
  });

  it('times out an attempt, even of a model that ignores its signal, with a retriable LLM_TIMEOUT', async () => {
    const model = scriptedModel([() => new Promise<ChatResponse>(() => undefined)]);
    const error = await withResilience(model, { timeoutMs: 20, retries: 0 }).complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmTimeoutError);
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', retriable: true });
  });

  it('stops at once when the caller aborts, and the abort does not count against the provider', async () => {
    const controller = new AbortController();
    const model = scriptedModel([() => new Promise<ChatResponse>(() => undefined), OK]);
    const resilient = withResilience(model, { ...fast, retries: 3, breaker: { failureThreshold: 1 } });
    const pending = resilient.complete(REQUEST, { signal: controller.signal });
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
    expect(model.requests).toHaveLength(1);
    expect(resilient.circuitState).toBe('closed');
  });
});

describe('circuit breaker', () => {
  function breakerUnderTest(script: Parameters<typeof scriptedModel>[0]) {
    const clock = fakeClock();
    const states: CircuitState[] = [];
    const model = scriptedModel(script);
    const resilient = withResilience(model, {
      retries: 0,
      now: clock.now,
      breaker: { failureThreshold: 3, cooldownMs: 1_000 },
      onStateChange: (state) => states.push(state),
    });
    return { clock, states, model, resilient };
  }

  it('opens after N consecutive failures, then fails fast without calling the provider', async () => {
    const { model, resilient, states } = breakerUnderTest([down(), down(), down(), OK]);
    for (let call = 0; call < 3; call += 1) await expect(resilient.complete(REQUEST)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(resilient.circuitState).toBe('open');
    const error = await resilient.complete(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'LLM_CIRCUIT_OPEN', retriable: true, retryAfterMs: 1_000 });
    expect(model.requests).toHaveLength(3);
    expect(states).toEqual(['open']);
  });

  it('lets one trial through after the cooldown; its success closes the circuit', async () => {
    const { clock, model, resilient, states } = breakerUnderTest([down(), down(), down(), OK, OK]);
    for (let call = 0; call < 3; call += 1) await resilient.complete(REQUEST).catch(() => undefined);
    clock.advance(999);
    await expect(resilient.complete(REQUEST)).rejects.toMatchObject({ retryAfterMs: 1 });
    clock.advance(1);
    expect((await resilient.complete(REQUEST)).content).toBe(OK);
    expect(resilient.circuitState).toBe('closed');
    expect((await resilient.complete(REQUEST)).content).toBe(OK);
    expect(model.requests).toHaveLength(5);
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('reopens for another cooldown when the trial fails', async () => {
    const { clock, resilient, states } = breakerUnderTest([down(), down(), down(), down(), OK]);
    for (let call = 0; call < 3; call += 1) await resilient.complete(REQUEST).catch(() => undefined);
    clock.advance(1_000);
    await expect(resilient.complete(REQUEST)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(resilient.circuitState).toBe('open');
    await expect(resilient.complete(REQUEST)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(1_000);
    expect((await resilient.complete(REQUEST)).content).toBe(OK);
    expect(states).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('fails fast for other calls while the half-open trial is in flight', async () => {
    let finishTrial: (response: ChatResponse) => void = () => undefined;
    const trial = new Promise<ChatResponse>((resolve) => (finishTrial = resolve));
    const { clock, model, resilient } = breakerUnderTest([down(), down(), down(), () => trial, OK]);
    for (let call = 0; call < 3; call += 1) await resilient.complete(REQUEST).catch(() => undefined);
    clock.advance(1_000);
    const first = resilient.complete(REQUEST);
    await expect(resilient.complete(REQUEST)).rejects.toBeInstanceOf(CircuitOpenError);
    finishTrial({ content: OK, usage: { promptTokens: 1, completionTokens: 1 }, model: 'm', finishReason: 'stop' });
    expect((await first).content).toBe(OK);
    expect(resilient.circuitState).toBe('closed');
    expect(model.requests).toHaveLength(4);
  });

  it('is not opened by non-retriable errors, and a success resets the count', async () => {
    const { resilient } = breakerUnderTest([denied(), denied(), denied(), denied(), down(), down(), OK, down(), down()]);
    for (let call = 0; call < 9; call += 1) await resilient.complete(REQUEST).catch(() => undefined);
    expect(resilient.circuitState).toBe('closed');
  });
});
