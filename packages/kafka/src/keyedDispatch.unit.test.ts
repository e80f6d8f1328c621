import { describe, expect, it } from 'vitest';
import { createCoalescer } from './coalescer.js';
import { createSlots, dispatchKeyed } from './keyedDispatch.js';

interface Item {
  readonly key: string;
  readonly offset: number;
}

/** A handler whose calls finish only when the test says so. */
function gate() {
  const pending = new Map<number, () => void>();
  const started: number[] = [];
  return {
    started,
    run: (item: Item) =>
      new Promise<void>((resolve) => {
        started.push(item.offset);
        pending.set(item.offset, resolve);
      }),
    finish(offset: number) {
      pending.get(offset)?.();
      pending.delete(offset);
    },
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const items = (keys: string): Item[] => [...keys].map((key, offset) => ({ key, offset }));

describe('key-ordered dispatch', () => {
  it('given items of several keys, runs different keys at once and one key in order', async () => {
    const handler = gate();
    const done: number[] = [];
    const contiguous: number[] = [];
    const dispatch = dispatchKeyed({
      items: items('ABAB'),
      slots: createSlots(8),
      keyOf: (item) => item.key,
      skip: () => false,
      run: async (item) => {
        await handler.run(item);
        done.push(item.offset);
      },
      shouldStop: () => false,
      onContiguous: (index) => contiguous.push(index),
    });
    await tick();
    expect(handler.started).toEqual([0, 1]);
    handler.finish(1);
    await tick();
    // B's next one starts; A's next waits for A's first. Nothing is committable while 0 runs.
    expect(handler.started).toEqual([0, 1, 3]);
    expect(contiguous).toEqual([]);
    handler.finish(3);
    handler.finish(0);
    await tick();
    expect(contiguous).toEqual([1]);
    handler.finish(2);
    const result = await dispatch;
    expect(done).toEqual([1, 3, 0, 2]);
    expect(contiguous).toEqual([1, 3]);
    expect(result).toEqual({ contiguous: 3, taken: 4, skipped: 0 });
  });

  it('given a bound, stops taking items while it is full (queued items count)', async () => {
    const handler = gate();
    const slots = createSlots(2);
    const dispatch = dispatchKeyed({ items: items('AABC'), slots, keyOf: (item) => item.key, skip: () => false, run: handler.run, shouldStop: () => false, onContiguous: () => undefined });
    await tick();
    // 0 runs, 1 waits behind it holding the second slot: B (2) and C (3) are not taken yet.
    expect(handler.started).toEqual([0]);
    expect(slots.inUse).toBe(2);
    handler.finish(0);
    await tick();
    // The freed slot lets B in while 1 (A's next) starts: two keys, no order between them.
    expect([...handler.started].sort()).toEqual([0, 1, 2]);
    handler.finish(1);
    handler.finish(2);
    await tick();
    handler.finish(3);
    expect((await dispatch).contiguous).toBe(3);
    expect(slots.inUse).toBe(0);
  });

  it('given skipped items, acknowledges them without a slot, in order with the rest', async () => {
    const handler = gate();
    const contiguous: number[] = [];
    const dispatch = dispatchKeyed({ items: items('AxxB'), slots: createSlots(1), keyOf: (item) => item.key, skip: (item) => item.key === 'x', run: handler.run, shouldStop: () => false, onContiguous: (index) => contiguous.push(index) });
    await tick();
    expect(contiguous).toEqual([]);
    handler.finish(0);
    await tick();
    expect(contiguous).toEqual([2]);
    handler.finish(3);
    expect(await dispatch).toEqual({ contiguous: 3, taken: 4, skipped: 2 });
  });

  it('when told to stop, starts nothing more, lets running items finish and reports the done prefix only', async () => {
    const handler = gate();
    let stop = false;
    const dispatch = dispatchKeyed({ items: items('ABAC'), slots: createSlots(8), keyOf: (item) => item.key, skip: () => false, run: handler.run, shouldStop: () => stop, onContiguous: () => undefined });
    await tick();
    expect(handler.started).toEqual([0, 1, 3]);
    stop = true;
    handler.finish(3);
    handler.finish(0);
    handler.finish(1);
    const result = await dispatch;
    // 2 was queued behind 0 and never started: the prefix ends before it, although 3 is done.
    expect(handler.started).toEqual([0, 1, 3]);
    expect(result.contiguous).toBe(1);
  });

  it('when a run fails, stops and reports the failure; the failed item is not done', async () => {
    const boom = new Error('boom');
    const result = await dispatchKeyed({
      items: items('ABC'),
      slots: createSlots(1),
      keyOf: (item) => item.key,
      skip: () => false,
      run: (item) => (item.offset === 1 ? Promise.reject(boom) : Promise.resolve()),
      shouldStop: () => false,
      onContiguous: () => undefined,
    });
    expect(result).toEqual({ contiguous: 0, taken: 2, skipped: 0, failure: { error: boom } });
  });
});

describe('coalescer', () => {
  it('sends what queued during a flush in the next flush, in order, and settles each caller with its flush', async () => {
    const flushes: number[][] = [];
    let release: () => void = () => undefined;
    const push = createCoalescer(async (batch: readonly number[]) => {
      flushes.push([...batch]);
      if (flushes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return flushes.length;
    });
    const first = push(1);
    await tick();
    const rest = [push(2), push(3), push(4)];
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(rest)).toEqual([2, 2, 2]);
    expect(flushes).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects the callers of a failed flush only', async () => {
    let calls = 0;
    const push = createCoalescer((batch: readonly string[]) => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error(`lost ${batch.join()}`)) : Promise.resolve('ok');
    });
    await expect(push('a')).rejects.toThrow('lost a');
    expect(await push('b')).toBe('ok');
  });
});
