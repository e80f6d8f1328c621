import { createEventFactory, type EventDataMap } from '@supportstream/events';
import { SAMPLE_DATA, sampleContext } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { analyticsDelta, emptyBuckets, foldAnalytics, minuteOf, type AnalyticsBuckets, type AnalyticsEvent } from './buckets.js';

const factory = createEventFactory({ producer: 'tests' });
const context = (tenantId: string) => sampleContext({ tenantId });
let ids = 0;

const outcome = (tenantId: string, at: string, data: Partial<EventDataMap['RequestOutcome']> = {}): AnalyticsEvent =>
  factory.create('RequestOutcome', { ...SAMPLE_DATA.RequestOutcome, ...data }, context(tenantId), `outcome-${(ids += 1)}`, new Date(at));
const usage = (tenantId: string, at: string, data: Partial<EventDataMap['LlmUsage']> = {}): AnalyticsEvent =>
  factory.create('LlmUsage', { ...SAMPLE_DATA.LlmUsage, ...data }, context(tenantId), `usage-${(ids += 1)}`, new Date(at));
const step = (tenantId: string, at: string, data: Partial<EventDataMap['StepMetrics']> = {}): AnalyticsEvent =>
  factory.create('StepMetrics', { ...SAMPLE_DATA.StepMetrics, ...data }, context(tenantId), `step-${(ids += 1)}`, new Date(at));

const fold = (given: AnalyticsBuckets, events: readonly AnalyticsEvent[]): AnalyticsBuckets => events.reduce(foldAnalytics, given);
const minuteRow = (buckets: AnalyticsBuckets, tenant: string, minute: string) => buckets.minutes.get(`${tenant}\u0000${minute}`)?.counters;
const costRow = (buckets: AnalyticsBuckets, tenant: string, minute: string, currency: string) => buckets.costs.get(`${tenant}\u0000${minute}\u0000${currency}`)?.counters;

describe('analytics buckets', () => {
  it('given no buckets, when outcomes of one tenant arrive in one minute, then they add up in that minute', () => {
    const when = [
      outcome('tenant-a', '2026-03-01T10:00:05Z', { outcome: 'RESOLVED', escalated: false, handlingTimeMs: 4_000, qualityScore: 0.9, totalCost: { amountMicros: 1_000, currency: 'USD' } }),
      outcome('tenant-a', '2026-03-01T10:00:59.999Z', { outcome: 'RESOLVED_AFTER_APPROVAL', escalated: true, handlingTimeMs: 60_000, qualityScore: 0.7, totalCost: { amountMicros: 3_000, currency: 'USD' } }),
      outcome('tenant-a', '2026-03-01T10:00:30Z', { outcome: 'HANDED_OFF', escalated: true, handlingTimeMs: 2_000, qualityScore: null, totalCost: { amountMicros: 500, currency: 'USD' } }),
    ];
    const then = fold(emptyBuckets(), when);
    expect(then.minutes.size).toBe(1);
    expect(minuteRow(then, 'tenant-a', '2026-03-01T10:00:00.000Z')).toMatchObject({
      conversations: 3,
      resolved: 1,
      resolved_after_approval: 1,
      handed_off: 1,
      fallback: 0,
      failed: 0,
      escalated: 2,
      handling_ms: 66_000,
      quality_sum_micros: 1_600_000,
      quality_count: 2,
    });
    expect(costRow(then, 'tenant-a', '2026-03-01T10:00:00.000Z', 'USD')).toEqual({ conversations: 3, cost_micros: 4_500, llm_cost_micros: 0 });
  });

  it('given buckets, when events of other tenants, minutes and currencies arrive, then each goes to its own bucket', () => {
    const given = fold(emptyBuckets(), [outcome('tenant-a', '2026-03-01T10:00:05Z')]);
    const then = fold(given, [
      outcome('tenant-b', '2026-03-01T10:00:10Z', { totalCost: { amountMicros: 7, currency: 'EUR' } }),
      outcome('tenant-a', '2026-03-01T10:01:00Z'),
      usage('tenant-a', '2026-03-01T10:01:02Z', { promptTokens: 800, completionTokens: 150, latencyMs: 40, cost: { amountMicros: 210, currency: 'USD' } }),
    ]);
    expect([...then.minutes.keys()].sort()).toEqual(['tenant-a\u00002026-03-01T10:00:00.000Z', 'tenant-a\u00002026-03-01T10:01:00.000Z', 'tenant-b\u00002026-03-01T10:00:00.000Z']);
    expect(costRow(then, 'tenant-b', '2026-03-01T10:00:00.000Z', 'EUR')).toEqual({ conversations: 1, cost_micros: 7, llm_cost_micros: 0 });
    expect(costRow(then, 'tenant-a', '2026-03-01T10:01:00.000Z', 'USD')).toEqual({ conversations: 1, cost_micros: 1_234, llm_cost_micros: 210 });
    expect(minuteRow(then, 'tenant-a', '2026-03-01T10:01:00.000Z')).toMatchObject({ conversations: 1, llm_calls: 1, prompt_tokens: 800, completion_tokens: 150, llm_latency_ms: 40 });
    // The input is left as it was.
    expect(given.minutes.size).toBe(1);
  });

  it('given no buckets, when step metrics and model calls arrive, then they count steps, failures, cached calls and no conversation', () => {
    const then = fold(emptyBuckets(), [
      step('tenant-a', '2026-03-01T10:00:00Z', { status: 'COMPLETED', durationMs: 120, queueDelayMs: 15 }),
      step('tenant-a', '2026-03-01T10:00:01Z', { status: 'FAILED', durationMs: 30, queueDelayMs: 5 }),
      usage('tenant-a', '2026-03-01T10:00:02Z', { cached: true, cost: { amountMicros: 0, currency: 'USD' } }),
    ]);
    expect(minuteRow(then, 'tenant-a', '2026-03-01T10:00:00.000Z')).toMatchObject({ conversations: 0, steps: 1, step_failures: 1, step_ms: 150, queue_delay_ms: 20, llm_calls: 1, llm_cached_calls: 1 });
  });

  it('given the same events in another order, then the buckets are the same', () => {
    const events = [
      outcome('tenant-a', '2026-03-01T10:00:05Z', { qualityScore: 0.123456789 }),
      usage('tenant-a', '2026-03-01T10:00:06Z'),
      outcome('tenant-a', '2026-03-01T10:00:07Z', { qualityScore: 0.987654321 }),
      step('tenant-b', '2026-03-01T10:02:00Z'),
    ];
    const inOrder = fold(emptyBuckets(), events);
    const reversed = fold(emptyBuckets(), [...events].reverse());
    expect(new Map([...reversed.minutes].sort())).toEqual(new Map([...inOrder.minutes].sort()));
    expect(reversed.costs).toEqual(inOrder.costs);
  });

  it('puts an event in the UTC minute of its occurredAt', () => {
    expect(minuteOf(new Date('2026-03-01T10:59:59.999Z'))).toBe('2026-03-01T10:59:00.000Z');
    expect(analyticsDelta(step('tenant-a', '2026-03-01T11:00:00.000Z')).minute.minute).toBe('2026-03-01T11:00:00.000Z');
  });
});
