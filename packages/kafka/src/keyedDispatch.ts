/** A counting semaphore: how many messages one consumer has in flight, across its partitions. */
export interface Slots {
  acquire(): Promise<void>;
  release(): void;
  readonly inUse: number;
}

export function createSlots(limit: number): Slots {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`maxInFlight must be a positive integer (got ${limit})`);
  let inUse = 0;
  const waiting: (() => void)[] = [];
  return {
    get inUse() {
      return inUse;
    },
    acquire() {
      if (inUse < limit) {
        inUse += 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      // The slot passes straight to the next waiter, so `inUse` stays the same.
      if (next) next();
      else inUse -= 1;
    },
  };
}

export interface KeyedDispatchOptions<T> {
  /** In offset order. */
  readonly items: readonly T[];
  readonly slots: Slots;
  /** Items with the same key run one after the other, in order; `undefined` is one key too. */
  readonly keyOf: (item: T) => string | undefined;
  /** Acknowledged at once, without a slot (a message that is not this consumer's). */
  readonly skip: (item: T) => boolean;
  /** Handles one item; a rejection stops the dispatch (the item is not done). */
  readonly run: (item: T) => Promise<void>;
  /** Checked before an item is taken and before a queued item starts: stop dispatching. */
  readonly shouldStop: () => boolean;
  /** Called each time the done prefix grows, with the index of its last item. */
  readonly onContiguous: (index: number) => void;
}

export interface KeyedDispatchResult {
  /** Index of the last item of the done prefix (-1: none). */
  readonly contiguous: number;
  /** Items taken (skipped ones included). */
  readonly taken: number;
  readonly skipped: number;
  /** The first rejection of `run`, if any. */
  readonly failure?: { readonly error: unknown };
}

/**
 * Key-ordered concurrency over one partition's batch (the model is Confluent's parallel consumer):
 * items of different keys run at once, items of one key strictly in order, at most `slots` in
 * flight (an item queued behind its key holds a slot, so the bound covers it: backpressure stops
 * taking items). What may be committed is the done prefix only, reported through `onContiguous`:
 * never past an item still running, queued or not started. Resolves once nothing runs any more.
 */
export async function dispatchKeyed<T>(options: KeyedDispatchOptions<T>): Promise<KeyedDispatchResult> {
  const { items } = options;
  const done = new Uint8Array(items.length);
  let contiguous = -1;
  let failure: { error: unknown } | undefined;
  let skipped = 0;
  let taken = 0;
  const tails = new Map<string | undefined, Promise<void>>();
  const running = new Set<Promise<void>>();
  const stopped = () => failure !== undefined || options.shouldStop();

  const markDone = (index: number) => {
    done[index] = 1;
    let next = contiguous;
    while (next + 1 < items.length && done[next + 1] === 1) next += 1;
    if (next !== contiguous) {
      contiguous = next;
      options.onContiguous(next);
    }
  };

  for (let index = 0; index < items.length; index += 1) {
    if (stopped()) break;
    const item = items[index] as T;
    if (options.skip(item)) {
      taken += 1;
      skipped += 1;
      markDone(index);
      continue;
    }
    await options.slots.acquire();
    if (stopped()) {
      options.slots.release();
      break;
    }
    taken += 1;
    const key = options.keyOf(item);
    const before = tails.get(key) ?? Promise.resolve();
    const task = before
      .then(async () => {
        if (stopped()) return;
        try {
          await options.run(item);
          markDone(index);
        } catch (error) {
          failure ??= { error };
        }
      })
      .finally(() => {
        options.slots.release();
        running.delete(task);
        if (tails.get(key) === task) tails.delete(key);
      });
    tails.set(key, task);
    running.add(task);
  }
  while (running.size > 0) await Promise.all([...running]);
  return { contiguous, taken, skipped, ...(failure ? { failure } : {}) };
}
