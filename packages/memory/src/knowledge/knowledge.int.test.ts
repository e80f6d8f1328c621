import { fileURLToPath } from 'node:url';
import { stackConfig, uniqueName } from '@supportstream/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { hashingEmbedder } from '../embeddings/hashingEmbedder.js';
import { pgVectorStore } from '../vectors/pgVectorStore.js';
import { ingestKnowledge } from './ingestKnowledge.js';
import { forgetResolutions, rememberResolution, similarResolutions } from './resolutions.js';
import { searchKnowledge } from './searchKnowledge.js';

const knowledgeDir = fileURLToPath(new URL('../../../../knowledge', import.meta.url));
const pool = new pg.Pool({ connectionString: stackConfig().DATABASE_URL, max: 4 });
const store = pgVectorStore(pool);
const created: string[] = [];
const collection = (prefix: string) => {
  const name = uniqueName(prefix).replace(/[^A-Za-z0-9_-]/g, '_');
  created.push(name);
  return name;
};

afterAll(async () => {
  for (const name of created) await store.dropCollection(name);
  await pool.end();
});

describe('knowledge base in the PostgreSQL-backed store', () => {
  it('ingests knowledge/, answers "charged twice" with the billing/refund articles, and re-ingests idempotently', async () => {
    const kb = collection('kb');
    const embedder = hashingEmbedder();
    const first = await ingestKnowledge({ dir: knowledgeDir, store, embedder, collection: kb });
    expect(first.files).toBeGreaterThanOrEqual(10);
    expect(first).toMatchObject({ embedded: first.chunks, unchanged: 0, deleted: 0 });

    // A second process (another replica) searches the same table.
    const replica = pgVectorStore(pool);
    const sources = await searchKnowledge(replica, embedder, 'I was charged twice for my order', { collection: kb, tenantId: 'acme', limit: 3 });
    expect(['billing-and-invoices.md', 'refund-policy.md']).toContain(sources[0]!.path);
    expect(sources.map((source) => source.title)).toContain('Billing and invoices › Unrecognised or double charges');
    for (const source of sources) {
      expect(source.text.length).toBeGreaterThan(0);
      expect(source.id).toMatch(/^\*:[a-z0-9-]+\.md#/);
    }
    // The audience filter, in SQL: notes for agents and customer passages apart.
    const question = 'I was charged twice for my order';
    const notes = await searchKnowledge(replica, embedder, question, { collection: kb, tenantId: 'acme', limit: 3, audience: 'agent' });
    expect(notes.map((note) => note.id)).toContain('*:billing-and-invoices.md#billing-and-invoices/unrecognised-or-double-charges:agent:0');
    expect(notes.every((note) => note.audience === 'agent' && note.id.includes(':agent:'))).toBe(true);
    const passages = await searchKnowledge(replica, embedder, question, { collection: kb, tenantId: 'acme', limit: 3, audience: 'customer' });
    expect(passages).toHaveLength(3);
    expect(passages.every((passage) => passage.audience === 'customer' && !passage.id.includes(':agent:'))).toBe(true);
    const [password] = await searchKnowledge(replica, embedder, 'how do I reset my password', { collection: kb });
    expect(password!.path).toBe('password-reset-and-2fa.md');

    const second = await ingestKnowledge({ dir: knowledgeDir, store: pgVectorStore(pool), embedder, collection: kb });
    expect(second).toEqual({ files: first.files, chunks: first.chunks, embedded: 0, unchanged: first.chunks, deleted: 0 });
    const { rows } = await pool.query<{ count: string; distinct_ids: string }>(
      'SELECT count(*)::text AS count, count(DISTINCT id)::text AS distinct_ids FROM memory_vectors WHERE collection = $1',
      [kb],
    );
    expect(rows[0]).toEqual({ count: String(first.chunks), distinct_ids: String(first.chunks) });
    expect(await replica.list(kb)).toHaveLength(first.chunks);
  });

  it('keeps resolved conversations as searchable long-term memory', async () => {
    const resolutions = collection('res');
    const embedder = hashingEmbedder();
    await rememberResolution(
      store,
      embedder,
      {
        tenantId: 'acme',
        conversationId: 'conv-1',
        customerId: 'cust-1',
        question: 'I was charged twice for order 1001',
        reply: 'We refunded the duplicate charge of 39.90 EUR.',
        category: 'billing',
        outcome: 'refunded',
        resolvedAt: '2025-01-01T00:00:00Z',
      },
      { collection: resolutions },
    );
    const [match] = await similarResolutions(pgVectorStore(pool), embedder, 'charged twice for my order', { tenantId: 'acme', collection: resolutions });
    expect(match).toMatchObject({ conversationId: 'conv-1', outcome: 'refunded', reply: 'We refunded the duplicate charge of 39.90 EUR.' });
    expect(await similarResolutions(store, embedder, 'charged twice for my order', { tenantId: 'globex', collection: resolutions })).toEqual([]);
  });

  it('forgets a customer\'s resolutions in the table, also for a replica that had them cached', async () => {
    const resolutions = collection('res_forget');
    const embedder = hashingEmbedder();
    const remember = (conversationId: string, customerId: string | undefined, tenantId = 'acme') =>
      rememberResolution(
        store,
        embedder,
        { tenantId, conversationId, customerId, question: `refund for ${conversationId}`, reply: 'done', category: 'refund', outcome: 'refunded', resolvedAt: '2025-01-01T00:00:00Z' },
        { collection: resolutions },
      );
    await remember('conv-1', 'cust-1');
    await remember('conv-2', undefined); // older document without customerId
    await remember('conv-3', 'cust-2');
    await remember('conv-4', 'cust-1', 'globex');
    const replica = pgVectorStore(pool);
    expect(await replica.list(resolutions)).toHaveLength(4);

    const target = { tenantId: 'acme', customerId: 'cust-1', conversationIds: ['conv-1', 'conv-2'], collection: resolutions };
    expect(await forgetResolutions(pgVectorStore(pool), target)).toBe(2);
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM memory_vectors WHERE collection = $1 ORDER BY id', [resolutions]);
    expect(rows.map((row) => row.id)).toEqual(['acme:conv-3', 'globex:conv-4']);
    expect((await replica.list(resolutions)).map((doc) => doc.id).sort()).toEqual(['acme:conv-3', 'globex:conv-4']);
    expect(await forgetResolutions(store, target)).toBe(0);
    expect(await forgetResolutions(store, { ...target, collection: collection('res_never') })).toBe(0);
  });
});
