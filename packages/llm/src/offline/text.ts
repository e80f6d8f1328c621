/**
 * Small, deterministic text tools for the offline provider: normalisation, tokens, stopwords,
 * lexicon matching and a hashed character-trigram "embedding" with cosine similarity.
 */

/** Lower case, diacritics removed (`Rückerstattung` → `ruckerstattung`), `ß` → `ss`. */
export function normalize(text: string): string {
  return text.toLowerCase().replace(/ß/g, 'ss').normalize('NFKD').replace(/\p{M}/gu, '');
}

export function words(text: string): string[] {
  return normalize(text)
    .replace(/[’']/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/**
 * Sentences of a passage. Markdown wraps long lines, so a single line break inside a paragraph is
 * a space; a blank line, a heading, a list item or a table row starts a new sentence. Bold and
 * italic markers are dropped.
 */
export function sentences(text: string): string[] {
  return text
    .replace(/\*\*|__/g, '')
    .replace(/\n(?![\n#|]|\s*(?:[-*+]|\d+[.)])\s)/g, ' ')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.replace(/[ \t]+/g, ' ').trim())
    .filter((sentence) => sentence.length > 0);
}

const list = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/** Stopwords per language, normalised. Also the evidence for language detection. */
export const STOPWORDS = {
  en: list('the a an and or is are was were i you my your it its to of in on for with this that have has had be been not me we us please can how what do does did at from but so if would will there get no any our they'),
  de: list('der die das und ist ich nicht mit ein eine einen einem mein meine meinen sie es zu den dem von auf fur wie was bitte habe hat wir noch auch aber kann ihr ihre sich bei nach schon wurde sind oder mir mich dass im zum zur kein keine wieder hallo'),
  fr: list('le la les et est je ne pas un une des du de mon ma mes vous votre pour avec que qui dans sur ce cette il elle nous mais ou au aux merci bonjour ai suis sont'),
  es: list('el la los las y es yo no un una de del mi mis su que en con por para se lo al pero como esta estoy muy gracias hola tengo usted'),
} as const;

export type StopwordLanguage = keyof typeof STOPWORDS;

const ALL_STOPWORDS = new Set(Object.values(STOPWORDS).flatMap((set) => [...set]));

/** Words that carry meaning: no stopwords of any supported language, at least three letters. */
export function contentWords(text: string): string[] {
  return words(text).filter((word) => word.length >= 3 && !ALL_STOPWORDS.has(word));
}

/** A crude stem: the first five letters. Enough to match refund/refunds/refunded, deliver/delivery. */
export function stem(word: string): string {
  return word.slice(0, 5);
}

export function stems(text: string): Set<string> {
  return new Set(contentWords(text).map(stem));
}

export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let count = 0;
  for (const item of a) if (b.has(item)) count += 1;
  return count;
}

/**
 * A lexicon term is one word or a phrase of normalised words; `*` inside a word matches any
 * letters (`refund*` matches refunds and refunded, `*erstatt*` matches Rückerstattung).
 */
export interface Lexicon {
  /** The terms found in `text` (each once). */
  find(text: string): string[];
}

export function lexicon(terms: readonly string[]): Lexicon {
  const compiled = terms.map((term) => {
    const pattern = normalize(term)
      .split(/\s+/)
      .map((word) => word.split('*').map(escapeRegExp).join('[\\p{L}\\p{N}]*'))
      .join(' ');
    return { term, regex: new RegExp(`(?:^| )${pattern}(?= |$)`, 'u') };
  });
  return {
    find(text: string): string[] {
      const joined = words(text).join(' ');
      return compiled.filter(({ regex }) => regex.test(joined)).map(({ term }) => term);
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type SparseVector = ReadonlyMap<number, number>;

const DIMENSIONS = 2048;

/** FNV-1a, 32 bit: a fixed hash, so vectors are identical on every machine and run. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A bag of hashed character trigrams over the content words (each word padded with spaces),
 * so related word forms (`deliver`, `delivery`, `Lieferung`/`geliefert`) share dimensions.
 */
export function embed(text: string): SparseVector {
  const vector = new Map<number, number>();
  for (const word of contentWords(text)) {
    const padded = ` ${word} `;
    for (let index = 0; index + 3 <= padded.length; index += 1) {
      const slot = fnv1a(padded.slice(index, index + 3)) % DIMENSIONS;
      vector.set(slot, (vector.get(slot) ?? 0) + 1);
    }
  }
  return vector;
}

export function cosine(a: SparseVector, b: SparseVector): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (const [slot, value] of a) {
    normA += value * value;
    dot += value * (b.get(slot) ?? 0);
  }
  for (const value of b.values()) normB += value * value;
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
