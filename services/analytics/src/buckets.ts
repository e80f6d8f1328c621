import type { RunOutcome, SupportEvent } from '@supportstream/events';

/** The events of system.analytics this service folds. */
export type AnalyticsEventType = 'RequestOutcome' | 'StepMetrics' | 'LlmUsage';
export type AnalyticsEvent = SupportEvent<AnalyticsEventType>;

/** Columns of `analytics_minutes` (migration 013): integer sums per tenant and minute. */
export const MINUTE_COUNTERS = [
  'conversations',
  'resolved',
  'resolved_after_approval',
  'handed_off',
  'fallback',
  'failed',
  'escalated',
  'handling_ms',
  'quality_sum_micros',
  'quality_count',
  'steps',
  'step_failures',
  'step_ms',
  'queue_delay_ms',
  'llm_calls',
  'llm_cached_calls',
  'prompt_tokens',
  'completion_tokens',
  'llm_latency_ms',
] as const;
export type MinuteCounter = (typeof MINUTE_COUNTERS)[number];

/** Columns of `analytics_minute_costs`: money per tenant, minute and currency, in millionths. */
export const COST_COUNTERS = ['conversations', 'cost_micros', 'llm_cost_micros'] as const;
export type CostCounter = (typeof COST_COUNTERS)[number];

export interface MinuteBucket {
  readonly tenantId: string;
  /** ISO time of the minute's start (UTC), the minute of the events' occurredAt. */
  readonly minute: string;
  readonly counters: Readonly<Record<MinuteCounter, number>>;
}

export interface CostBucket {
  readonly tenantId: string;
  readonly minute: string;
  readonly currency: string;
  readonly counters: Readonly<Record<CostCounter, number>>;
}

/** What one event adds: always to its minute, and to its minute's costs when it carries money. */
export interface AnalyticsDelta {
  readonly minute: MinuteBucket;
  readonly cost: CostBucket | undefined;
}

export interface AnalyticsBuckets {
  readonly minutes: ReadonlyMap<string, MinuteBucket>;
  readonly costs: ReadonlyMap<string, CostBucket>;
}

const OUTCOME_COUNTER = {
  RESOLVED: 'resolved',
  RESOLVED_AFTER_APPROVAL: 'resolved_after_approval',
  HANDED_OFF: 'handed_off',
  FALLBACK: 'fallback',
  FAILED: 'failed',
} as const satisfies Record<RunOutcome, MinuteCounter>;

const zeroMinute = (): Record<MinuteCounter, number> => Object.fromEntries(MINUTE_COUNTERS.map((name) => [name, 0])) as Record<MinuteCounter, number>;
const zeroCost = (): Record<CostCounter, number> => Object.fromEntries(COST_COUNTERS.map((name) => [name, 0])) as Record<CostCounter, number>;

/** The start of the minute `at` falls in, as an ISO string. */
export function minuteOf(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
}

export const minuteKey = (tenantId: string, minute: string): string => `${tenantId}\u0000${minute}`;
export const costKey = (tenantId: string, minute: string, currency: string): string => `${tenantId}\u0000${minute}\u0000${currency}`;

/** The additive contribution of one event to its tenant's minute (pure). */
export function analyticsDelta(event: AnalyticsEvent): AnalyticsDelta {
  const tenantId = event.metadata.tenantId;
  const minute = minuteOf(event.metadata.occurredAt);
  const counters = zeroMinute();
  let cost: CostBucket | undefined;
  switch (event.type) {
    case 'RequestOutcome': {
      const { data } = event;
      counters.conversations = 1;
      counters[OUTCOME_COUNTER[data.outcome]] = 1;
      counters.escalated = data.escalated ? 1 : 0;
      counters.handling_ms = data.handlingTimeMs;
      if (data.qualityScore !== null) {
        // Integers, so sums do not depend on the order they are added in.
        counters.quality_sum_micros = Math.round(data.qualityScore * 1_000_000);
        counters.quality_count = 1;
      }
      cost = { tenantId, minute, currency: data.totalCost.currency, counters: { ...zeroCost(), conversations: 1, cost_micros: data.totalCost.amountMicros } };
      break;
    }
    case 'StepMetrics': {
      const { data } = event;
      counters.steps = data.status === 'COMPLETED' ? 1 : 0;
      counters.step_failures = data.status === 'FAILED' ? 1 : 0;
      counters.step_ms = data.durationMs;
      counters.queue_delay_ms = data.queueDelayMs;
      break;
    }
    case 'LlmUsage': {
      const { data } = event;
      counters.llm_calls = 1;
      counters.llm_cached_calls = data.cached ? 1 : 0;
      counters.prompt_tokens = data.promptTokens;
      counters.completion_tokens = data.completionTokens;
      counters.llm_latency_ms = data.latencyMs;
      cost = { tenantId, minute, currency: data.cost.currency, counters: { ...zeroCost(), llm_cost_micros: data.cost.amountMicros } };
      break;
    }
    default: {
      const unknownEvent: never = event;
      throw new Error(`analytics does not fold ${(unknownEvent as SupportEvent).type}`);
    }
  }
  return { minute: { tenantId, minute, counters }, cost };
}

export function emptyBuckets(): AnalyticsBuckets {
  return { minutes: new Map(), costs: new Map() };
}

function add<K extends string>(a: Readonly<Record<K, number>>, b: Readonly<Record<K, number>>): Record<K, number> {
  const sum: Record<K, number> = { ...a };
  for (const key of Object.keys(b) as K[]) sum[key] = a[key] + b[key];
  return sum;
}

/** The buckets after one more event (pure: the input is left as it was). */
export function foldAnalytics(buckets: AnalyticsBuckets, event: AnalyticsEvent): AnalyticsBuckets {
  const delta = analyticsDelta(event);
  const minutes = new Map(buckets.minutes);
  const key = minuteKey(delta.minute.tenantId, delta.minute.minute);
  const before = minutes.get(key);
  minutes.set(key, before ? { ...before, counters: add(before.counters, delta.minute.counters) } : delta.minute);
  if (!delta.cost) return { minutes, costs: buckets.costs };
  const costs = new Map(buckets.costs);
  const ck = costKey(delta.cost.tenantId, delta.cost.minute, delta.cost.currency);
  const previous = costs.get(ck);
  costs.set(ck, previous ? { ...previous, counters: add(previous.counters, delta.cost.counters) } : delta.cost);
  return { minutes, costs };
}
