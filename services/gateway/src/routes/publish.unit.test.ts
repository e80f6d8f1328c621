import type { SupportEvent } from '@supportstream/events';
import type { PublishedRecord } from '@supportstream/kafka';
import { createLogger, createMetricsRegistry } from '@supportstream/observability';
import { sampleEvent } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../httpErrors.js';
import { gatewayMetrics } from '../httpMetrics.js';
import { publisher } from './publish.js';

const logger = createLogger({ service: 'test', level: 'fatal' });

function setup(publish: (events: readonly SupportEvent[]) => Promise<readonly PublishedRecord[]>, timeoutMs: number) {
  const registry = createMetricsRegistry({}, false);
  return { registry, publish: publisher({ publish }, gatewayMetrics(registry), logger, timeoutMs) };
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('publishing from the gateway', () => {
  it('answers 503 with Retry-After once the broker has not acknowledged within the timeout, not when kafkajs gives up', async () => {
    let settle: ((records: readonly PublishedRecord[]) => void) | undefined;
    const { publish, registry } = setup(() => new Promise<readonly PublishedRecord[]>((resolve) => (settle = resolve)), 50);
    const started = performance.now();
    const error = await refusal(publish([sampleEvent('RequestReceived')]));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect([error.status, error.code, error.headers['Retry-After']]).toEqual([503, 'UNAVAILABLE', '5']);
    // A late acknowledgement is not counted as published by this request.
    settle?.([]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await registry.getSingleMetric('gateway_events_published_total')?.get())?.values ?? []).toEqual([]);
  });

  it('answers 503 when the send fails, and counts what the broker acknowledged', async () => {
    const failing = setup(() => Promise.reject(new Error('broker refused')), 1_000);
    expect((await refusal(failing.publish([sampleEvent('RequestReceived')]))).status).toBe(503);

    const working = setup(() => Promise.resolve([]), 1_000);
    await working.publish([sampleEvent('RequestReceived')]);
    const published = await working.registry.getSingleMetric('gateway_events_published_total')?.get();
    expect(published?.values.map((value) => [value.labels['event_type'], value.value])).toEqual([['RequestReceived', 1]]);
  });
});
