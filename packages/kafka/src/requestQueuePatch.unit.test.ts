import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { patchKafkajsRequestQueue } from './requestQueuePatch.js';

interface Queue {
  throttleCheckTimeoutId: unknown;
  pending: unknown[];
  push(request: { entry: ReturnType<typeof entry>; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
  destroy(): void;
}

const require = createRequire(import.meta.url);
const patch = patchKafkajsRequestQueue();
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: Record<string, unknown>) => Queue;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const newQueue = (maxInFlightRequests: number | null = null) =>
  new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: '127.0.0.1:9092', logger: silent });
const entry = (correlationId: number) => ({ correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve: () => undefined, reject: () => undefined });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `done` holds (bounded: 2 s), so a loaded machine's late timers do not fail the test. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!done() && Date.now() < deadline) await sleep(5);
}

/** Counts the queue's pending-request checks from now on. */
function countChecks(queue: Queue): () => number {
  let checks = 0;
  const check = queue.checkPendingRequests.bind(queue);
  queue.checkPendingRequests = () => {
    checks += 1;
    check();
  };
  return () => checks;
}

describe('the kafkajs request-queue patch', () => {
  it('applies to the kafkajs this workspace installs (a new kafkajs must be looked at again)', () => {
    expect(patch).toEqual({ applied: true, reason: 'patched kafkajs 2.2.4 RequestQueue.scheduleCheckPendingRequests' });
    expect(patchKafkajsRequestQueue()).toBe(patch);
  });

  it('given an idle queue after a response, when time passes, then nothing is scheduled and no check runs', async () => {
    const queue = newQueue();
    let sent = 0;
    queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => (sent += 1) });
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    const checks = countChecks(queue);
    // Unpatched, the response's check re-arms a 1 ms timer that runs for ever: dozens in 60 ms.
    await sleep(60);
    expect(sent).toBe(1);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(checks()).toBe(0);
    queue.destroy();
  });

  it('given a throttled queue, when a request is pushed, then it waits and is sent once the throttle ends', async () => {
    const queue = newQueue();
    let sent = 0;
    queue.maybeThrottle(40);
    queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => (sent += 1) });
    expect(sent).toBe(0);
    expect(queue.pending).toHaveLength(1);
    await until(() => sent > 0);
    expect(sent).toBe(1);
    expect(queue.pending).toHaveLength(0);
    queue.destroy();
  });

  it('given a queue at its in-flight limit, when the request in flight is answered, then the next one is sent', () => {
    const queue = newQueue(1);
    const sent: number[] = [];
    queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => sent.push(1) });
    queue.push({ entry: entry(2), expectResponse: true, sendRequest: () => sent.push(2) });
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    queue.destroy();
  });

  it('given a throttle with nothing pending, when the throttle ends, then the queue checks once and goes quiet', async () => {
    const queue = newQueue();
    queue.maybeThrottle(20);
    const checks = countChecks(queue);
    queue.push({ entry: entry(1), expectResponse: false, sendRequest: () => undefined });
    await until(() => checks() > 0);
    // Then quiet: no further checks (unpatched, a 1 ms timer would keep counting).
    await sleep(60);
    expect(checks()).toBe(1);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });
});
