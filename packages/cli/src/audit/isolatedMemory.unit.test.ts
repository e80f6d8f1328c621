import { memorySessionMemory, memoryVectorStore, RESOLUTION_KIND } from '@supportstream/memory';
import { describe, expect, it } from 'vitest';
import { sessionMemoryAsOf, vectorStoreAsOf } from './isolatedMemory.js';

const asOf = '2026-01-01T12:00:00.000Z';

describe('sessionMemoryAsOf', () => {
  it('given exchanges appended when their runs ended, then only those in memory at the time are seen, and nothing is written', async () => {
    const sessions = memorySessionMemory();
    const append = (conversationId: string, receivedAt: string, repliedAt: string) =>
      sessions
        .append('t', 'c', { at: receivedAt, conversationId, role: 'customer', text: `question ${conversationId}` })
        .then(() => sessions.append('t', 'c', { at: repliedAt, conversationId, role: 'agent', text: `reply ${conversationId}` }));
    await append('answered-before', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:01.000Z');
    // Received before the request, answered (and so appended) only after it: not there yet.
    await append('answered-after', '2026-01-01T11:59:00.000Z', '2026-01-01T13:00:00.000Z');
    await append('later', '2026-01-01T12:30:00.000Z', '2026-01-01T12:30:01.000Z');
    const view = sessionMemoryAsOf(sessions, asOf);
    expect((await view.recent('t', 'c', 10)).map((interaction) => `${interaction.role} ${interaction.conversationId}`)).toEqual(['agent answered-before', 'customer answered-before']);
    expect(await view.recent('t', 'c', 1)).toHaveLength(1);
    await view.append('t', 'c', { at: '2026-01-01T11:00:00.000Z', conversationId: 'shadow', role: 'customer', text: 'never stored' });
    expect(await sessions.recent('t', 'c', 50)).toHaveLength(6);
    expect(await view.forget('t', 'c')).toBe(0);
    expect(await sessions.recent('t', 'c', 50)).toHaveLength(6);
  });
});

describe('vectorStoreAsOf', () => {
  it('given resolutions from before and after the request, then only the earlier ones are found, and writes are dropped', async () => {
    const store = memoryVectorStore();
    await store.ensureCollection('resolutions', 2);
    const resolution = (id: string, resolvedAt: string) => ({ id, vector: [1, 0], payload: { kind: RESOLUTION_KIND, tenantId: 't', resolvedAt } });
    await store.upsert('resolutions', [resolution('before', '2026-01-01T11:00:00.000Z'), resolution('after', '2026-01-01T12:00:00.000Z')]);
    await store.ensureCollection('knowledge', 2);
    await store.upsert('knowledge', [{ id: 'article', vector: [1, 0], payload: { kind: 'knowledge', tenantId: 't' } }]);
    const view = vectorStoreAsOf(store, asOf);
    expect((await view.search('resolutions', [1, 0], { limit: 5, filter: { kind: RESOLUTION_KIND } })).map((hit) => hit.id)).toEqual(['before']);
    expect((await view.list('resolutions')).map((doc) => doc.id)).toEqual(['before']);
    expect((await view.search('knowledge', [1, 0], { limit: 5 })).map((hit) => hit.id)).toEqual(['article']);
    await view.upsert('resolutions', [resolution('shadow', '2026-01-01T10:00:00.000Z')]);
    await view.delete('resolutions', ['before']);
    expect((await store.list('resolutions')).map((doc) => doc.id).sort()).toEqual(['after', 'before']);
  });
});
