import { createRequire } from 'node:module';

/**
 * A fix for kafkajs 2.2.4's request queue, applied to its prototype once per process.
 *
 * Upstream, `RequestQueue.scheduleCheckPendingRequests` computes `throttledUntil - Date.now()`
 * with `throttledUntil` at -1 when no throttling ever happened, and with no request pending it
 * passes that negative delay to `setTimeout`. Node runs it after 1 ms, the callback schedules
 * itself again, and every broker connection spins a 1 ms timer loop for its whole life
 * (tulios/kafkajs#1556, #1604, #1704; the fix of #1667 was never released). Measured here on an
 * idle triage service: about 3,000 wake-ups a second and 60 ms of CPU a second doing nothing, in
 * every process, and the same loop competes with real work under load.
 *
 * The replacement keeps every case that needs a timer: requests pending (checked when the
 * throttle ends, or after the usual 10 ms) and a throttle in force. With nothing pending and no
 * throttle it schedules nothing: a new request goes through `push`, which sends it or queues it
 * and schedules a check, and a response runs the check itself.
 *
 * The patch is applied only to the kafkajs version it was written for, and only if the method
 * still has the defect's shape; otherwise kafkajs is left as it is and `applied` says why.
 */

const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;
const PATCHED_VERSION = '2.2.4';

interface RequestQueueLike {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

export interface RequestQueuePatchResult {
  readonly applied: boolean;
  readonly reason: string;
}

let result: RequestQueuePatchResult | undefined;

function scheduleCheckPendingRequests(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  let delay: number;
  if (this.pending.length > 0) delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  else if (untilUnthrottled > 0) delay = untilUnthrottled;
  else return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/** Applies the fix to kafkajs's RequestQueue (idempotent). */
export function patchKafkajsRequestQueue(): RequestQueuePatchResult {
  if (result) return result;
  const require = createRequire(import.meta.url);
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_VERSION) {
    result = { applied: false, reason: `kafkajs ${version} is not ${PATCHED_VERSION}, which the patch was written for` };
    return result;
  }
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueLike };
  const source = Function.prototype.toString.call(Reflect.get(RequestQueue.prototype, 'scheduleCheckPendingRequests'));
  if (!source.includes('this.throttledUntil - Date.now()')) {
    result = { applied: false, reason: 'RequestQueue.scheduleCheckPendingRequests does not have the expected shape' };
    return result;
  }
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  result = { applied: true, reason: `patched kafkajs ${version} RequestQueue.scheduleCheckPendingRequests` };
  return result;
}
