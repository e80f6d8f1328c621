import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStaffInstruction } from '@supportstream/domain';
import { afterEach, describe, expect, it } from 'vitest';
import type { Embedder } from '../embeddings/embedder.js';
import { hashingEmbedder } from '../embeddings/hashingEmbedder.js';
import { memoryVectorStore } from '../vectors/memoryVectorStore.js';
import { chunkMarkdown } from './chunkMarkdown.js';
import { ingestKnowledge } from './ingestKnowledge.js';
import { forgetResolutions, rememberResolution, similarResolutions } from './resolutions.js';
import { formatSources, searchKnowledge } from './searchKnowledge.js';

const knowledgeDir = fileURLToPath(new URL('../../../../knowledge', import.meta.url));
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempKb(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-'));
  temps.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** Counts what gets embedded, so "unchanged chunks are not embedded again" can be checked. */
function countingEmbedder(inner: Embedder = hashingEmbedder()): Embedder & { texts: string[] } {
  const texts: string[] = [];
  return { id: inner.id, dimensions: inner.dimensions, texts, embed: (batch) => (texts.push(...batch), inner.embed(batch)) };
}

describe('ingestKnowledge + searchKnowledge (in-memory store)', () => {
  it('ingests the sample knowledge base and answers with cited sources', async () => {
    const store = memoryVectorStore();
    const embedder = hashingEmbedder();
    const result = await ingestKnowledge({ dir: knowledgeDir, store, embedder });
    expect(result.files).toBeGreaterThanOrEqual(10);
    expect(result.embedded).toBe(result.chunks);
    // Questions worded with the articles' vocabulary: the hashing embedder matches words, not
    // meaning ("my package is late" does not find "parcel"; see the README).
    const cases: [string, string][] = [
      ['I was charged twice for my order', 'billing-and-invoices.md'],
      ['how do I reset my password', 'password-reset-and-2fa.md'],
      ['where is my parcel, the tracking number shows nothing', 'shipping-and-tracking.md'],
      ['the vase arrived broken', 'damaged-items.md'],
      ['please delete my account', 'account-closure.md'],
      ['cancel my annual membership, do I get money back?', 'subscription-plans.md'],
      ['I want a copy of all my personal data (GDPR)', 'privacy-and-data-requests.md'],
      ['can I pay with PayPal or Apple Pay?', 'payment-methods.md'],
      ['I want to talk to a real person', 'contacting-a-human.md'],
      ['how do I return a jacket that does not fit', 'returns.md'],
      ['my refund has not arrived yet', 'refund-policy.md'],
      ['I lost my phone with the authenticator app', 'password-reset-and-2fa.md'],
      ['I need an invoice with my company VAT ID', 'billing-and-invoices.md'],
    ];
    for (const [question, path] of cases) {
      const [top] = await searchKnowledge(store, embedder, question, { tenantId: 'acme', limit: 3 });
      expect({ question, path: top?.path }).toEqual({ question, path });
    }
    const sources = await searchKnowledge(store, embedder, 'duplicate charge', { limit: 2 });
    expect(sources[0]).toMatchObject({ title: 'Refund policy › Duplicate charges', path: 'refund-policy.md', id: '*:refund-policy.md#refund-policy/duplicate-charges:0' });
    expect(sources[0]!.text).toContain('refunded in full');
    expect(formatSources(sources)).toMatch(/^\[1\] Refund policy › Duplicate charges \(refund-policy\.md\)\nIf a customer was \*\*charged twice\*\*/);
  });

  it('stores the audience of every chunk, searches each audience apart, and marks notes in the prompt context', async () => {
    const dir = await tempKb({
      'refunds.md': '# Refunds\n## Duplicate charges\nA duplicate charge is refunded in full.\n\n> **For agents:** Confirm the duplicate charge in the billing system first.\n',
    });
    const store = memoryVectorStore();
    const embedder = hashingEmbedder();
    expect(await ingestKnowledge({ dir, store, embedder })).toMatchObject({ chunks: 2, embedded: 2 });
    const stored = await store.list('knowledge');
    expect(Object.fromEntries(stored.map((doc) => [doc.id, doc.payload['audience']]))).toEqual({
      '*:refunds.md#refunds/duplicate-charges:0': 'customer',
      '*:refunds.md#refunds/duplicate-charges:agent:0': 'agent',
    });
    const search = (audience?: 'customer' | 'agent') => searchKnowledge(store, embedder, 'duplicate charge', { limit: 5, ...(audience ? { audience } : {}) });
    expect((await search('customer')).map((source) => [source.id, source.audience])).toEqual([['*:refunds.md#refunds/duplicate-charges:0', 'customer']]);
    expect((await search('agent')).map((source) => [source.id, source.audience])).toEqual([['*:refunds.md#refunds/duplicate-charges:agent:0', 'agent']]);
    const both = await search();
    expect(both).toHaveLength(2);
    expect(formatSources(both.filter((source) => source.audience === 'agent'))).toBe(
      '[1] Refunds › Duplicate charges (refunds.md, for agents only)\nConfirm the duplicate charge in the billing system first.',
    );
  });

  it('rewrites a chunk ingested before the audience existed, so the audience filter finds it', async () => {
    const dir = await tempKb({ 'a.md': '# A\nrefunds go to the original payment method\n' });
    const store = memoryVectorStore();
    const embedder = hashingEmbedder();
    await ingestKnowledge({ dir, store, embedder });
    // What an earlier version wrote: the same chunk without `audience`, with the hash of then.
    const [doc] = await store.list('knowledge');
    const { audience: _audience, ...old } = doc!.payload;
    const [vector] = await embedder.embed(['A\n\nrefunds go to the original payment method']);
    await store.upsert('knowledge', [{ id: doc!.id, vector: vector!, payload: { ...old, contentHash: 'before-the-audience' } }]);
    expect(await searchKnowledge(store, embedder, 'refunds', { audience: 'customer' })).toEqual([]);
    expect(await ingestKnowledge({ dir, store, embedder })).toMatchObject({ embedded: 1, unchanged: 0 });
    expect((await searchKnowledge(store, embedder, 'refunds', { audience: 'customer' })).map((source) => source.id)).toEqual([doc!.id]);
  });

  it('holds the sample knowledge base to its convention: notes for agents marked, no sentence for staff left in customer text', async () => {
    const files = (await readdir(knowledgeDir)).filter((file) => file.endsWith('.md') && file !== 'README.md');
    expect(files.length).toBeGreaterThanOrEqual(14);
    const chunks = (await Promise.all(files.map(async (file) => chunkMarkdown(file, await readFile(join(knowledgeDir, file), 'utf8'))))).flat();
    const customerSentences = chunks
      .filter((chunk) => chunk.audience === 'customer')
      .flatMap((chunk) => chunk.text.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z])/));
    expect(customerSentences.filter(isStaffInstruction)).toEqual([]);
    const notes = chunks.filter((chunk) => chunk.audience === 'agent').map((chunk) => chunk.id);
    expect(notes).toEqual(
      expect.arrayContaining([
        'refund-policy.md#refund-policy/automatic-refunds-up-to-25-00-eur:agent:0',
        'refund-policy.md#refund-policy/duplicate-charges:agent:0',
        'billing-and-invoices.md#billing-and-invoices/unrecognised-or-double-charges:agent:0',
      ]),
    );
    // The sentences the review found in customer replies (issue 11) are only in notes now.
    const customerText = customerSentences.join(' ');
    expect(customerText).not.toContain('does not need supervisor approval');
    expect(customerText).not.toContain('Support agents may issue a refund');
  });

  it('is idempotent, re-embeds only what changed, deletes removed sections and files, and skips READMEs', async () => {
    const dir = await tempKb({
      'a.md': '# A\n## One\nfirst section about refunds\n## Two\nsecond section about shipping\n',
      'sub/b.md': '# B\nbilling text\n',
      '.hidden/c.md': '# C\nignored\n',
      'notes.txt': 'ignored too',
      'README.md': '# How articles are written\nnot an article\n',
      'sub/Readme.markdown': '# About sub\nnot an article either\n',
    });
    const store = memoryVectorStore();
    const embedder = countingEmbedder();
    expect(await ingestKnowledge({ dir, store, embedder })).toEqual({ files: 2, chunks: 3, embedded: 3, unchanged: 0, deleted: 0 });
    expect(await ingestKnowledge({ dir, store, embedder })).toEqual({ files: 2, chunks: 3, embedded: 0, unchanged: 3, deleted: 0 });
    expect(embedder.texts).toHaveLength(3);
    expect((await store.list('knowledge')).map((doc) => doc.id).sort()).toEqual(['*:a.md#a/one:0', '*:a.md#a/two:0', '*:sub/b.md#b:0']);

    await writeFile(join(dir, 'a.md'), '# A\n## One\nfirst section about refunds, edited\n');
    await unlink(join(dir, 'sub/b.md'));
    expect(await ingestKnowledge({ dir, store, embedder })).toEqual({ files: 1, chunks: 1, embedded: 1, unchanged: 0, deleted: 2 });
    expect(embedder.texts.at(-1)).toBe('A › One\n\nfirst section about refunds, edited');
    expect((await store.list('knowledge')).map((doc) => doc.id)).toEqual(['*:a.md#a/one:0']);
  });

  it('keeps tenants apart: a tenant sees its own and the shared knowledge, never another tenant’s', async () => {
    const shared = await tempKb({ 'shared.md': '# Shipping\nWe ship parcels with DHL.\n' });
    const acme = await tempKb({ 'acme.md': '# Acme shipping\nAcme parcels ship with UPS.\n' });
    const globex = await tempKb({ 'globex.md': '# Globex shipping\nGlobex parcels ship by pigeon.\n' });
    const store = memoryVectorStore();
    const embedder = hashingEmbedder();
    await ingestKnowledge({ dir: shared, store, embedder });
    await ingestKnowledge({ dir: acme, store, embedder, tenantId: 'acme' });
    await ingestKnowledge({ dir: globex, store, embedder, tenantId: 'globex' });
    const paths = async (tenantId?: string) =>
      (await searchKnowledge(store, embedder, 'parcels ship', { limit: 10, ...(tenantId === undefined ? {} : { tenantId }) })).map((s) => s.path).sort();
    expect(await paths('acme')).toEqual(['acme.md', 'shared.md']);
    expect(await paths('globex')).toEqual(['globex.md', 'shared.md']);
    expect(await paths()).toEqual(['shared.md']);
    // Re-ingesting one tenant's folder leaves the others alone.
    expect(await ingestKnowledge({ dir: acme, store, embedder, tenantId: 'acme' })).toMatchObject({ deleted: 0, unchanged: 1 });
    expect(await paths('globex')).toEqual(['globex.md', 'shared.md']);
  });

  it('never compares vectors of another embedder with the same dimensions', async () => {
    const dir = await tempKb({ 'a.md': '# A\nrefunds\n' });
    const store = memoryVectorStore();
    await ingestKnowledge({ dir, store, embedder: hashingEmbedder() });
    const other = hashingEmbedder({ trigramWeight: 0.5 });
    expect(other.dimensions).toBe(384);
    expect(await searchKnowledge(store, other, 'refunds')).toEqual([]);
  });

  it('refuses an empty or missing folder instead of deleting everything', async () => {
    const store = memoryVectorStore();
    const empty = await tempKb({});
    await expect(ingestKnowledge({ dir: empty, store, embedder: hashingEmbedder() })).rejects.toMatchObject({ code: 'KNOWLEDGE_DIR_EMPTY' });
    await expect(ingestKnowledge({ dir: join(empty, 'nope'), store, embedder: hashingEmbedder() })).rejects.toMatchObject({ code: 'KNOWLEDGE_DIR_NOT_FOUND' });
    expect(await ingestKnowledge({ dir: empty, store, embedder: hashingEmbedder(), allowEmpty: true })).toEqual({ files: 0, chunks: 0, embedded: 0, unchanged: 0, deleted: 0 });
  });
});

describe('resolutions as long-term memory', () => {
  const resolution = (n: number, question: string, extra: Partial<Parameters<typeof rememberResolution>[2]> = {}) => ({
    tenantId: 'acme',
    conversationId: `conv-${n}`,
    customerId: `cust-${n}`,
    question,
    reply: `reply ${n}`,
    category: 'billing',
    outcome: 'resolved',
    resolvedAt: '2025-01-01T00:00:00Z',
    ...extra,
  });

  it('finds past resolutions of similar questions, per tenant, replacing a re-resolved conversation', async () => {
    const store = memoryVectorStore();
    const embedder = hashingEmbedder();
    await rememberResolution(store, embedder, resolution(1, 'I was charged twice for order 1001'));
    await rememberResolution(store, embedder, resolution(2, 'My parcel never arrived', { category: 'shipping' }));
    await rememberResolution(store, embedder, resolution(3, 'Charged twice for the same order', { tenantId: 'globex' }));
    await rememberResolution(store, embedder, resolution(1, 'I was charged twice for order 1001', { reply: 'refunded the duplicate', outcome: 'refunded' }));

    const matches = await similarResolutions(store, embedder, 'double charge on my order, charged twice', { tenantId: 'acme' });
    expect(matches.map((match) => match.conversationId)).toEqual(['conv-1', 'conv-2']);
    expect(matches[0]).toMatchObject({ reply: 'refunded the duplicate', outcome: 'refunded', category: 'billing', customerId: 'cust-1', tenantId: 'acme' });
    expect(matches[0]!.score).toBeGreaterThan(matches[1]!.score);
    expect(await similarResolutions(store, embedder, 'charged twice', { tenantId: 'acme', category: 'shipping' })).toHaveLength(1);
    expect(await similarResolutions(store, embedder, 'charged twice', { tenantId: 'acme', outcome: 'escalated' })).toEqual([]);
  });

  it('forgets a customer on an erasure request, by customer and by conversation, once', async () => {
    const store = memoryVectorStore();
    const embedder = hashingEmbedder();
    await rememberResolution(store, embedder, resolution(1, 'refund please'));
    await rememberResolution(store, embedder, resolution(2, 'refund please too', { customerId: 'cust-1' }));
    // Remembered before customerId was kept: found only through its conversation.
    await rememberResolution(store, embedder, resolution(4, 'refund, an old one', { customerId: undefined }));
    await rememberResolution(store, embedder, resolution(3, 'refund as well'));
    await rememberResolution(store, embedder, resolution(5, 'refund elsewhere', { tenantId: 'globex', customerId: 'cust-1' }));
    const target = { tenantId: 'acme', customerId: 'cust-1', conversationIds: ['conv-1', 'conv-4', 'conv-4', 'conv-unknown'] };

    expect(await forgetResolutions(store, target)).toBe(3);
    const left = async (tenantId: string) =>
      (await similarResolutions(store, embedder, 'refund', { tenantId, limit: 10 })).map((m) => m.conversationId);
    expect(await left('acme')).toEqual(['conv-3']);
    expect(await left('globex')).toEqual(['conv-5']);
    expect(await forgetResolutions(store, target)).toBe(0);
  });

  it('counts a collection that was never created as nothing to forget, and rejects a blank target', async () => {
    const store = memoryVectorStore();
    expect(await forgetResolutions(store, { tenantId: 'acme', customerId: 'cust-1', conversationIds: ['conv-1'] })).toBe(0);
    expect(await forgetResolutions(store, { tenantId: 'acme', customerId: 'cust-1', collection: 'nothing_here' })).toBe(0);
    await expect(forgetResolutions(store, { tenantId: 'acme', customerId: ' ' })).rejects.toMatchObject({ code: 'RESOLUTION_FORGET_INVALID' });
    await expect(forgetResolutions(store, { tenantId: 'acme', customerId: 'c', conversationIds: [''] })).rejects.toMatchObject({
      code: 'RESOLUTION_FORGET_INVALID',
    });
  });

  it('rejects an incomplete resolution', async () => {
    await expect(rememberResolution(memoryVectorStore(), hashingEmbedder(), resolution(1, ' '))).rejects.toMatchObject({ code: 'RESOLUTION_INVALID' });
  });
});
