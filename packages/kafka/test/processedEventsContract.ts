import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessedEvents } from '../src/dedupe.js';

/** How a contract suite gets the adapter under test (langgraphjs checkpoint-validation's initializer shape). */
export interface ProcessedEventsInitializer {
  readonly name: string;
  create(): Promise<ProcessedEvents>;
  destroy?(): Promise<void>;
}

let groups = 0;
const freshGroup = () => `contract-${process.pid}-${Date.now().toString(36)}-${++groups}`;

/** What every ProcessedEvents adapter must do; run against each adapter. */
export function processedEventsContract(initializer: ProcessedEventsInitializer): void {
  describe(`ProcessedEvents contract: ${initializer.name}`, () => {
    let store: ProcessedEvents;
    beforeAll(async () => {
      store = await initializer.create();
    });
    afterAll(async () => {
      await initializer.destroy?.();
    });

    it('knows nothing of a fresh group, and an empty lookup is empty', async () => {
      const group = freshGroup();
      expect(await store.seenMany(group, [])).toEqual(new Set());
      expect(await store.seenMany(group, ['a', 'b'])).toEqual(new Set());
    });

    it('answers the subset of ids remembered, per group', async () => {
      const group = freshGroup();
      const other = freshGroup();
      await store.rememberMany(group, ['a', 'b']);
      await store.rememberMany(group, ['c']);
      await store.rememberMany(other, ['z']);
      expect(await store.seenMany(group, ['a', 'x', 'c', 'b', 'z'])).toEqual(new Set(['a', 'b', 'c']));
      expect(await store.seenMany(other, ['a', 'z'])).toEqual(new Set(['z']));
    });

    it('takes an id remembered twice, and many ids at once', async () => {
      const group = freshGroup();
      const ids = Array.from({ length: 500 }, (_, index) => `id-${index}`);
      await store.rememberMany(group, ids);
      await store.rememberMany(group, ['id-1', 'id-1']);
      const seen = await store.seenMany(group, [...ids, 'unknown']);
      expect(seen.size).toBe(500);
      expect(seen.has('unknown')).toBe(false);
    });
  });
}
