import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CircuitState } from './circuitBreaker.js';
import type { TokenUsage } from './port.js';
import type { Money } from './pricing.js';

/** Who made a model call: the provider and model that answered, the graph node and the tenant. */
export interface LlmCallLabels {
  readonly provider: string;
  readonly model: string;
  readonly node: string;
  readonly tenant: string;
}

export type LlmCallObservation =
  | { readonly outcome: 'ok'; readonly seconds: number; readonly usage: TokenUsage; readonly cost: Money }
  | { readonly outcome: 'error'; readonly seconds: number };

/** Where the breaker states come from (a model resolver); read at scrape time. */
export type CircuitSource = () => readonly { readonly provider: string; readonly state: CircuitState }[];

/**
 * Prometheus metrics of the model layer. One instance per registry: calling it again with the
 * same registry returns the metrics already registered there.
 */
export interface LlmMetrics {
  /** A call that reached the provider (retries and the repair attempt included), successful or not. */
  observeCall(labels: LlmCallLabels, observation: LlmCallObservation): void;
  /** An answer taken from the step cache: counted, neither timed nor paid again. */
  observeCached(labels: LlmCallLabels): void;
  /** Adds a source of breaker states for `llm_circuit_open`. */
  watchCircuits(source: CircuitSource): void;
}

// Model calls take from milliseconds (offline) to minutes (a long generation with retries).
const CALL_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

const registered = new WeakMap<Registry, LlmMetrics>();

export function createLlmMetrics(registry: Registry): LlmMetrics {
  const existing = registered.get(registry);
  if (existing) return existing;
  const sources: CircuitSource[] = [];
  const duration = new Histogram({
    name: 'llm_request_duration_seconds',
    help: 'Duration of one model call (retries and the repair attempt included), successful or not; cached answers are not observed',
    labelNames: ['provider', 'model', 'node'],
    buckets: CALL_BUCKETS,
    registers: [registry],
  });
  const calls = new Counter({ name: 'llm_calls_total', help: 'Model calls by outcome: ok, error, or cached (answered from the step cache)', labelNames: ['provider', 'model', 'node', 'outcome'], registers: [registry] });
  const tokens = new Counter({ name: 'llm_tokens_total', help: 'Tokens paid for, by kind (prompt, completion); cached answers are not counted again', labelNames: ['provider', 'model', 'tenant', 'kind'], registers: [registry] });
  const cost = new Counter({ name: 'llm_cost_total', help: 'Cost of model calls in currency units (e.g. USD), from the price table; cached answers cost nothing', labelNames: ['provider', 'model', 'tenant', 'currency'], registers: [registry] });
  new Gauge({
    name: 'llm_circuit_open',
    help: "1 while the provider's circuit breaker is open (or half-open, letting one trial call through), else 0",
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      const open = new Map<string, number>();
      for (const source of sources) {
        for (const { provider, state } of source()) open.set(provider, Math.max(open.get(provider) ?? 0, state === 'closed' ? 0 : 1));
      }
      this.reset();
      for (const [provider, value] of open) this.set({ provider }, value);
    },
  });

  const metrics: LlmMetrics = {
    observeCall(labels, observation) {
      const { provider, model, node, tenant } = labels;
      duration.observe({ provider, model, node }, observation.seconds);
      calls.inc({ provider, model, node, outcome: observation.outcome });
      if (observation.outcome !== 'ok') return;
      tokens.inc({ provider, model, tenant, kind: 'prompt' }, observation.usage.promptTokens);
      tokens.inc({ provider, model, tenant, kind: 'completion' }, observation.usage.completionTokens);
      // Micros are exact integers; the counter is in currency units, as Prometheus prefers base units.
      cost.inc({ provider, model, tenant, currency: observation.cost.currency }, observation.cost.amountMicros / 1_000_000);
    },
    observeCached({ provider, model, node }) {
      calls.inc({ provider, model, node, outcome: 'cached' });
    },
    watchCircuits(source) {
      sources.push(source);
    },
  };
  registered.set(registry, metrics);
  return metrics;
}
