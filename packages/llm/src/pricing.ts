import type { TokenUsage } from './port.js';

/** Exact money: millionths of the currency unit, like the `Money` record in the event schemas. */
export interface Money {
  readonly amountMicros: number;
  readonly currency: 'USD';
}

/** Price of one model, in micro-dollars per one million tokens (i.e. dollars per token). */
export interface ModelPrice {
  readonly inputMicrosPerMillion: number;
  readonly outputMicrosPerMillion: number;
}

export interface Cost {
  readonly cost: Money;
  /** False when the (provider, model) pair is not in the price table: the cost is then 0. */
  readonly priced: boolean;
}

/** From dollars per million tokens; rounding only removes binary floating-point noise (0.15 × 10⁶). */
const usd = (input: number, output: number): ModelPrice => ({ inputMicrosPerMillion: Math.round(input * 1_000_000), outputMicrosPerMillion: Math.round(output * 1_000_000) });

/**
 * List prices in USD per million tokens (input, output) as published by the providers; check
 * them against your contract. Keys are `provider/model`; a model also matches by its longest
 * listed prefix, so `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'openai/gpt-4o': usd(2.5, 10),
  'openai/gpt-4o-mini': usd(0.15, 0.6),
  'openai/gpt-4.1': usd(2, 8),
  'openai/gpt-4.1-mini': usd(0.4, 1.6),
  'openai/gpt-4.1-nano': usd(0.1, 0.4),
  'anthropic/claude-3-5-haiku': usd(0.8, 4),
  'anthropic/claude-haiku-4-5': usd(1, 5),
  'anthropic/claude-3-7-sonnet': usd(3, 15),
  'anthropic/claude-sonnet-4': usd(3, 15),
  'anthropic/claude-opus-4': usd(15, 75),
  // The offline provider is free; listing it keeps it from being flagged as unpriced.
  'offline/heuristic-v1': usd(0, 0),
};

export type PriceTable = Readonly<Record<string, ModelPrice>>;

export function findPrice(table: PriceTable, provider: string, model: string): ModelPrice | undefined {
  const exact = table[`${provider}/${model}`];
  if (exact) return exact;
  let best: { key: string; price: ModelPrice } | undefined;
  for (const [key, price] of Object.entries(table)) {
    if (`${provider}/${model}`.startsWith(key) && (best === undefined || key.length > best.key.length)) best = { key, price };
  }
  return best?.price;
}

/**
 * Cost of one call, exact in integers (BigInt, no floating point): the sum of tokens × price over
 * input and output, divided by one million once and rounded up to the next whole micro-dollar,
 * so a call is never under-counted and over-counted by less than one micro-dollar.
 * Unknown models cost 0 and come back with `priced: false`.
 */
export function costOf(usage: TokenUsage, provider: string, model: string, table: PriceTable = DEFAULT_PRICES): Cost {
  const price = findPrice(table, provider, model);
  if (price === undefined) return { cost: { amountMicros: 0, currency: 'USD' }, priced: false };
  const scaled =
    BigInt(usage.promptTokens) * BigInt(price.inputMicrosPerMillion) + BigInt(usage.completionTokens) * BigInt(price.outputMicrosPerMillion);
  const million = 1_000_000n;
  const micros = (scaled + million - 1n) / million;
  return { cost: { amountMicros: Number(micros), currency: 'USD' }, priced: true };
}

export function addMoney(a: Money, b: Money): Money {
  return { amountMicros: a.amountMicros + b.amountMicros, currency: 'USD' };
}
