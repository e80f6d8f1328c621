import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fnv1a, hashingEmbedder, tokenize } from './hashingEmbedder.js';

const knowledge = (file: string) => readFile(fileURLToPath(new URL(`../../../../knowledge/${file}`, import.meta.url)), 'utf8');
const cosine = (a: readonly number[], b: readonly number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

describe('hashingEmbedder', () => {
  const embedder = hashingEmbedder();

  it('is deterministic, across calls and instances', async () => {
    const [a] = await embedder.embed(['Where is my parcel?']);
    const [b] = await hashingEmbedder().embed(['Where is my parcel?']);
    expect(a).toEqual(b);
    expect(embedder.id).toBe('hashing-v2:384');
    expect(hashingEmbedder({ dimensions: 128 }).id).toBe('hashing-v2:128');
  });

  it('uses a stable hash: FNV-1a test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('returns one unit vector of the configured length per text, also for empty and stop-word-only texts', async () => {
    const texts = ['How do I reset my password?', '', 'how do I', '🙂', 'x'.repeat(10_000)];
    const vectors = await hashingEmbedder({ dimensions: 64 }).embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) {
      expect(vector).toHaveLength(64);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
    }
  });

  it('folds case and accents and ignores punctuation', async () => {
    const [a, b] = await embedder.embed(['Café REFUND!', 'cafe refund']);
    expect(cosine(a!, b!)).toBeCloseTo(1, 10);
    expect(tokenize('Crème brûlée, naïve—Zoë')).toEqual(['creme', 'brulee', 'naive', 'zoe']);
  });

  it('scores texts sharing words (and inflections) above unrelated ones', async () => {
    const [query, inflected, unrelated] = await embedder.embed(['refund for a damaged item', 'Refunds for damaged items', 'express shipping to Austria']);
    expect(cosine(query!, inflected!)).toBeGreaterThan(0.6);
    expect(Math.abs(cosine(query!, unrelated!))).toBeLessThan(0.2);
  });

  it('puts "how do I reset my password" closer to the password article than to shipping', async () => {
    const [query, password, shipping, refunds] = await embedder.embed([
      'how do I reset my password',
      await knowledge('password-reset-and-2fa.md'),
      await knowledge('shipping-and-tracking.md'),
      await knowledge('refund-policy.md'),
    ]);
    expect(cosine(query!, password!)).toBeGreaterThan(cosine(query!, shipping!) + 0.1);
    expect(cosine(query!, password!)).toBeGreaterThan(cosine(query!, refunds!) + 0.1);
  });

  it('rejects nonsensical dimensions', () => {
    expect(() => hashingEmbedder({ dimensions: 0 })).toThrow(/dimensions/);
    expect(() => hashingEmbedder({ dimensions: 1.5 })).toThrow(/dimensions/);
  });
});
