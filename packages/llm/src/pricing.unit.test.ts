import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './providers/http.js';
import { costOf, DEFAULT_PRICES, findPrice } from './pricing.js';

describe('pricing', () => {
  it('computes the cost exactly: gpt-4o-mini, 1000 in × $0.15/M + 500 out × $0.60/M = 450 micro-dollars', () => {
    expect(costOf({ promptTokens: 1000, completionTokens: 500 }, 'openai', 'gpt-4o-mini')).toEqual({ cost: { amountMicros: 450, currency: 'USD' }, priced: true });
  });

  it('rounds up to the next whole micro-dollar, once per call', () => {
    // 1 × 0.15 µ$ + 1 × 0.60 µ$ = 0.75 µ$ → 1
    expect(costOf({ promptTokens: 1, completionTokens: 1 }, 'openai', 'gpt-4o-mini').cost.amountMicros).toBe(1);
    // 3 × 0.15 + 0 = 0.45 → 1; 20 × 0.15 = 3 exactly → 3
    expect(costOf({ promptTokens: 3, completionTokens: 0 }, 'openai', 'gpt-4o-mini').cost.amountMicros).toBe(1);
    expect(costOf({ promptTokens: 20, completionTokens: 0 }, 'openai', 'gpt-4o-mini').cost.amountMicros).toBe(3);
    expect(costOf({ promptTokens: 0, completionTokens: 0 }, 'openai', 'gpt-4o-mini').cost.amountMicros).toBe(0);
  });

  it('stays exact for large token counts', () => {
    // claude-opus-4: 123,456,789 in × $15/M + 98,765,432 out × $75/M = 1,851,851,835 + 7,407,407,400 µ$
    expect(costOf({ promptTokens: 123_456_789, completionTokens: 98_765_432 }, 'anthropic', 'claude-opus-4').cost.amountMicros).toBe(9_259_259_235);
  });

  it('matches versioned model names by their longest listed prefix', () => {
    expect(findPrice(DEFAULT_PRICES, 'openai', 'gpt-4o-mini-2024-07-18')).toEqual(DEFAULT_PRICES['openai/gpt-4o-mini']);
    expect(findPrice(DEFAULT_PRICES, 'openai', 'gpt-4o-2024-08-06')).toEqual(DEFAULT_PRICES['openai/gpt-4o']);
    expect(findPrice(DEFAULT_PRICES, 'anthropic', 'claude-sonnet-4-20250514')).toEqual(DEFAULT_PRICES['anthropic/claude-sonnet-4']);
  });

  it('prices an unknown model at 0 and flags it', () => {
    expect(costOf({ promptTokens: 1000, completionTokens: 1000 }, 'ollama', 'llama3.1')).toEqual({ cost: { amountMicros: 0, currency: 'USD' }, priced: false });
  });

  it('prices the offline provider at 0 without flagging it', () => {
    expect(costOf({ promptTokens: 1000, completionTokens: 1000 }, 'offline', 'heuristic-v1')).toEqual({ cost: { amountMicros: 0, currency: 'USD' }, priced: true });
  });
});

describe('retry-after parsing', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');

  it.each([
    ['120', 120_000],
    ['0', 0],
    ['1.5', 1_500],
    [' 7 ', 7_000],
    ['Wed, 01 Jan 2025 12:00:30 GMT', 30_000],
    ['Wed, 01 Jan 2025 11:59:00 GMT', 0],
  ])('%j → %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([null, undefined, '', 'soon', '-5'])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
