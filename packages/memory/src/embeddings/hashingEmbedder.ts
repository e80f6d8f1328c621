import { englishTerms } from '@supportstream/domain';
import { InvalidInputError } from '@supportstream/errors';
import type { Embedder } from './embedder.js';

export interface HashingEmbedderOptions {
  /** Output size; more buckets mean fewer collisions (default 384). */
  readonly dimensions?: number;
  /** Weight of a character trigram relative to a whole word (default 0.35). */
  readonly trigramWeight?: number;
}

/**
 * The local default embedder: deterministic, no model, no network. Text is lower-cased and
 * accent-folded (NFKD without combining marks) and split into letter/digit tokens; common English
 * function words are dropped. Each word (English plurals singularised) and each character trigram
 * of `#word#` is a feature,
 * hashed with 32-bit FNV-1a over its UTF-8 bytes into a bucket with a hash-derived sign (the
 * "hashing trick"); a feature seen n times weighs 1 + ln n; the vector is L2-normalised.
 *
 * German, French and Spanish support words also add the features of their English translations
 * (the glossary of @supportstream/domain), so the offline stack can search an English knowledge
 * base in those languages.
 *
 * It captures lexical similarity, not meaning: "charged twice" finds "duplicate charge" only
 * through the words they share, and never finds "billed two times". Use an OpenAI-compatible
 * model when paraphrases matter. Trigrams make it tolerant of inflections and typos
 * ("refunds", "refnd").
 */
export function hashingEmbedder(options: HashingEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? 384;
  const trigramWeight = options.trigramWeight ?? 0.35;
  if (!Number.isInteger(dimensions) || dimensions < 8 || dimensions > 65_536) {
    throw new InvalidInputError('EMBEDDINGS_CONFIG_INVALID', `hashing embedder dimensions must be an integer in 8..65536, got ${dimensions}`);
  }
  if (!(trigramWeight >= 0)) throw new InvalidInputError('EMBEDDINGS_CONFIG_INVALID', 'trigramWeight must be ≥ 0');
  const id = `hashing-v2:${dimensions}${trigramWeight === 0.35 ? '' : `:t${trigramWeight}`}`;
  return {
    dimensions,
    id,
    embed: (texts) => Promise.resolve(texts.map((text) => hashEmbed(text, dimensions, trigramWeight))),
  };
}

export function hashEmbed(text: string, dimensions: number, trigramWeight: number, bigramWeight = 0.5): number[] {
  const words = tokenize(text);
  const content = words.filter((word) => !STOPWORDS.has(word));
  // A question made only of function words ("how do I?") still deserves a vector.
  const kept = content.length > 0 ? content : words;
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  let previous: string | undefined;
  for (const word of kept) {
    const stem = singular(word);
    add(`w:${stem}`);
    // Adjacent content words ("charged twice") reward phrases, not just shared vocabulary.
    if (previous !== undefined) add(`b:${previous} ${stem}`);
    previous = stem;
    const padded = `#${word}#`;
    const chars = [...padded];
    for (let i = 0; i + 3 <= chars.length; i++) add(`c:${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  // Support words of German, French and Spanish also count as their English translations
  // (@supportstream/domain's glossary), so a question in those languages finds English articles.
  for (const term of englishTerms(text)) if (!STOPWORDS.has(term)) add(`w:${singular(term)}`);
  if (counts.size === 0) counts.set('w:∅', 1);

  const vector = new Float64Array(dimensions);
  for (const [feature, count] of counts) {
    const weight = (feature.startsWith('c:') ? trigramWeight : feature.startsWith('b:') ? bigramWeight : 1) * (1 + Math.log(count));
    const hash = fnv1a(feature);
    vector[hash % dimensions]! += mix(hash) & 1 ? weight : -weight;
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  // Only possible if every feature cancelled out in one bucket; fall back to a fixed direction.
  if (norm === 0) return Array.from({ length: dimensions }, (_, i) => (i === 0 ? 1 : 0));
  return Array.from(vector, (value) => value / norm);
}

/** The crudest stemmer that pays: English plurals ("refunds" → "refund"), nothing else. */
function singular(word: string): string {
  return word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word) ? word.slice(0, -1) : word;
}

export function tokenize(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

const encoder = new TextEncoder();

/** 32-bit FNV-1a over UTF-8 bytes: stable across platforms and releases, unlike String hashing. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Murmur3's finaliser: decorrelates the sign bit from the bits that chose the bucket. */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const STOPWORDS = new Set(
  (
    'a an the and or but if then so of to in on at by for with from into onto about as is are was were be been being am ' +
    'do does did done doing have has had having i me my mine we us our you your yours he him his she her it its they them their ' +
    'this that these those there here what which who whom whose when where why how can could would should will shall may might must ' +
    'up out over under again just also too very s t ll re ve d m please hi hello thanks thank not no any all some than dont doesn didn'
  ).split(' '),
);
