import type { OffsetsReader, OffsetsSnapshot } from '@supportstream/kafka';
import { createLogger } from '@supportstream/observability';
import { describe, expect, it } from 'vitest';
import { costOf, denseSeries, totalsOf } from './analytics.js';
import { microsToDecimal, moneyAmount, perUnit } from './money.js';
import { createOperationsSource, operationsFigures, platformConsumerGroup } from './operations.js';
import { windowRange } from './window.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const zeros = { conversations: 0, resolved: 0, resolvedAfterApproval: 0, handedOff: 0, fallback: 0, failed: 0, escalated: 0, handlingMs: 0, qualitySumMicros: 0, qualityCount: 0, llmCalls: 0, llmCachedCalls: 0, promptTokens: 0, completionTokens: 0 };

describe('overview windows', () => {
  it('end with the bucket that holds now and span exactly the window', () => {
    const now = new Date('2026-03-01T10:17:30.500Z');
    expect(windowRange('1h', now)).toEqual({ window: '1h', from: new Date('2026-03-01T09:18:00Z'), to: new Date('2026-03-01T10:18:00Z'), stepMs: 60_000, buckets: 60 });
    expect(windowRange('6h', now)).toMatchObject({ from: new Date('2026-03-01T04:20:00Z'), to: new Date('2026-03-01T10:20:00Z'), buckets: 72 });
    expect(windowRange('24h', now)).toMatchObject({ from: new Date('2026-02-28T10:30:00Z'), to: new Date('2026-03-01T10:30:00Z'), buckets: 96 });
    expect(windowRange('7d', now)).toMatchObject({ from: new Date('2026-02-22T11:00:00Z'), to: new Date('2026-03-01T11:00:00Z'), buckets: 168 });
    // On a boundary, the new bucket is the last one.
    expect(windowRange('1h', new Date('2026-03-01T10:18:00Z')).to).toEqual(new Date('2026-03-01T10:19:00Z'));
  });
});

describe('overview money', () => {
  it('writes micros as exact decimals', () => {
    expect([49_990_000n, -1_250_000n, 5n, 0n, 2_000_001n, 12n * 10n ** 18n].map(microsToDecimal)).toEqual(['49.99', '-1.25', '0.000005', '0', '2.000001', '12000000000000']);
    expect(moneyAmount(1_000_005n, 'EUR')).toEqual({ currency: 'EUR', amountMicros: '1000005', amount: '1.000005' });
  });

  it('divides per conversation to the micro, half to even', () => {
    expect([perUnit(2_000_001n, 6n), perUnit(5n, 2n), perUnit(7n, 2n), perUnit(-5n, 2n), perUnit(10n, 3n), perUnit(11n, 3n), perUnit(9n, 3n)]).toEqual([333_334n, 2n, 4n, -2n, 3n, 4n, 3n]);
    expect(() => perUnit(1n, 0n)).toThrow(RangeError);
    expect(costOf({ currency: 'JPY', conversations: '0', cost_micros: '0', llm_cost_micros: '7' })).toEqual({
      currency: 'JPY',
      conversations: 0,
      total: { currency: 'JPY', amountMicros: '0', amount: '0' },
      perConversation: null,
      llm: { currency: 'JPY', amountMicros: '7', amount: '0.000007' },
    });
  });
});

describe('overview totals and series', () => {
  it('has no rates or means without conversations', () => {
    expect(totalsOf(zeros)).toMatchObject({ conversations: 0, resolutionRate: null, escalationRate: null, meanHandlingMs: null, meanQualityScore: null });
    expect(totalsOf({ ...zeros, conversations: 3, resolved: 1, resolvedAfterApproval: 1, escalated: 1, handlingMs: 1_000, qualitySumMicros: 1_500_000, qualityCount: 2 })).toMatchObject({
      resolutionRate: 2 / 3,
      escalationRate: 1 / 3,
      meanHandlingMs: 333,
      meanQualityScore: 0.75,
    });
  });

  it('fills every bucket of the range, oldest first', () => {
    const range = windowRange('1h', new Date('2026-03-01T10:17:30Z'));
    const series = denseSeries(range, [{ start: new Date('2026-03-01T10:00:00Z'), sums: { ...zeros, conversations: 2, resolved: 2, handlingMs: 3_001 } }]);
    expect(series).toHaveLength(60);
    expect(series[0]?.start).toBe('2026-03-01T09:18:00.000Z');
    expect(series.at(-1)?.start).toBe('2026-03-01T10:17:00.000Z');
    expect(series.filter((bucket) => bucket.conversations > 0)).toEqual([
      { start: '2026-03-01T10:00:00.000Z', conversations: 2, resolved: 2, resolvedAfterApproval: 0, handedOff: 0, fallback: 0, failed: 0, escalated: 0, meanHandlingMs: 1_501 },
    ]);
    expect(series[0]?.meanHandlingMs).toBeNull();
  });
});

const snapshot: OffsetsSnapshot = {
  partitions: [
    { topic: 'agent.actions', partition: 0, low: 0, high: 100 },
    { topic: 'agent.actions', partition: 1, low: 0, high: 50 },
    { topic: 'customer.requests', partition: 0, low: 10, high: 20 },
    { topic: 'agent.actions.dlq', partition: 0, low: 3, high: 10 },
    { topic: 'agent.actions.dlq', partition: 1, low: 0, high: 2 },
    { topic: 'customer.requests.dlq', partition: 0, low: 5, high: 5 },
  ],
  committed: [
    { group: 'supportstream-research', topic: 'agent.actions', partition: 0, committed: 90 },
    { group: 'supportstream-research', topic: 'agent.actions', partition: 1, committed: 50 },
    { group: 'supportstream-projections', topic: 'agent.actions', partition: 0, committed: 100 },
    // An offset past the end (a topic recreated): no negative lag.
    { group: 'supportstream-projections', topic: 'customer.requests', partition: 0, committed: 25 },
    { group: 'supportstream-triage', topic: 'customer.requests', partition: 0, committed: 12 },
    // Not a topic whose lag is shown.
    { group: 'supportstream-triage', topic: 'agent.actions.dlq', partition: 0, committed: 0 },
  ],
  failedGroups: [{ group: 'supportstream-gone', error: 'group is being deleted' }],
};

describe('operations figures', () => {
  it('sum the lag per group and topic, largest first, and size each dead-letter topic', () => {
    expect(operationsFigures(snapshot, ['agent.actions', 'customer.requests'], ['agent.actions.dlq', 'customer.requests.dlq'], new Date('2026-03-01T10:00:00Z'))).toEqual({
      status: 'ok',
      readAt: '2026-03-01T10:00:00.000Z',
      message: null,
      consumerGroups: [
        { group: 'supportstream-research', lag: 10, topics: [{ topic: 'agent.actions', lag: 10, partitions: 2 }] },
        { group: 'supportstream-triage', lag: 8, topics: [{ topic: 'customer.requests', lag: 8, partitions: 1 }] },
        {
          group: 'supportstream-projections',
          lag: 0,
          topics: [
            { topic: 'agent.actions', lag: 0, partitions: 1 },
            { topic: 'customer.requests', lag: 0, partitions: 1 },
          ],
        },
      ],
      deadLetters: [
        { topic: 'agent.actions.dlq', records: 9, partitions: 2 },
        { topic: 'customer.requests.dlq', records: 0, partitions: 1 },
      ],
      unreadGroups: ['supportstream-gone'],
    });
  });

  it('are the platform groups only, without a rebuild’s', () => {
    expect(['supportstream-triage', 'supportstream-projections', 'supportstream-rebuild-123', 'demo-1', 'reader-x'].filter(platformConsumerGroup)).toEqual(['supportstream-triage', 'supportstream-projections']);
  });
});

/** A reader that answers when told to, counting its reads. */
function manualReader() {
  const waiting: { resolve: (snapshot: OffsetsSnapshot) => void; reject: (error: Error) => void }[] = [];
  let reads = 0;
  const reader: OffsetsReader = {
    read: () => {
      reads += 1;
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    close: () => Promise.resolve(),
  };
  return { reader, reads: () => reads, answer: (value: OffsetsSnapshot | Error) => (value instanceof Error ? waiting.shift()?.reject(value) : waiting.shift()?.resolve(value)) };
}

describe('the operations source', () => {
  it('reads once for any number of callers within the cache time, then again', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const manual = manualReader();
    const source = createOperationsSource({ reader: manual.reader, topics: ['agent.actions'], logger, cacheMs: 5_000, timeoutMs: 60_000, now: () => new Date(now) });
    const first = [source.current(), source.current(), source.current()];
    manual.answer(snapshot);
    const answers = await Promise.all(first);
    expect(manual.reads()).toBe(1);
    expect(answers[0]?.consumerGroups.map((entry) => entry.group)).toEqual(['supportstream-research', 'supportstream-projections']);
    expect(new Set(answers).size).toBe(1);
    now += 4_999;
    await source.current();
    expect(manual.reads()).toBe(1);
    now += 1;
    const later = source.current();
    manual.answer({ ...snapshot, committed: [] });
    expect((await later).consumerGroups).toEqual([]);
    expect(manual.reads()).toBe(2);
  });

  it('answers unavailable when Kafka fails or is too slow, never throws, and starts no second read while one hangs', async () => {
    let now = 0;
    const manual = manualReader();
    const source = createOperationsSource({ reader: manual.reader, topics: ['agent.actions'], logger, cacheMs: 1_000, timeoutMs: 20, now: () => new Date(now) });
    const failed = source.current();
    manual.answer(new Error('connect ECONNREFUSED 127.0.0.1:9092'));
    expect(await failed).toEqual({ status: 'unavailable', readAt: null, message: 'Kafka could not be read: consumer lag and dead-letter sizes are unavailable right now', consumerGroups: [], deadLetters: [], unreadGroups: [] });
    // The failure is reused for the cache time too: a dead broker is not asked on every refresh.
    expect((await source.current()).status).toBe('unavailable');
    expect(manual.reads()).toBe(1);

    now += 1_000;
    const slow = await source.current();
    expect(slow.message).toMatch(/^Kafka did not answer within 0.02 s/);
    expect(manual.reads()).toBe(2);
    now += 1_000;
    // The hanging read is still the one in progress: waited for again, not doubled.
    const again = source.current();
    manual.answer(snapshot);
    expect((await again).status).toBe('ok');
    expect(manual.reads()).toBe(2);
  });
});
