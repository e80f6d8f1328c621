import { describe, expect, it } from 'vitest';
import { processedEventsContract } from '../test/processedEventsContract.js';
import { inMemoryProcessedEvents } from './dedupe.js';

processedEventsContract({ name: 'in memory', create: () => Promise.resolve(inMemoryProcessedEvents()) });

describe('in-memory processed events', () => {
  it('forgets the oldest ids beyond its capacity', async () => {
    const store = inMemoryProcessedEvents(2);
    await store.rememberMany('g', ['a']);
    await store.rememberMany('g', ['b', 'c']);
    expect(await store.seenMany('g', ['a', 'b', 'c'])).toEqual(new Set(['b', 'c']));
  });
});
