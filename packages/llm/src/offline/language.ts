import { STOPWORDS, words, type StopwordLanguage } from './text.js';

// Letters that (almost) only one of the supported languages uses; each is extra evidence.
const LETTERS: readonly (readonly [StopwordLanguage, RegExp])[] = [
  ['de', /[äöüß]/giu],
  ['es', /[ñ¿¡]/giu],
  ['fr', /[çèêœ]/giu],
];

const ORDER: readonly StopwordLanguage[] = ['en', 'de', 'fr', 'es'];

/**
 * Detects en, de, fr or es by counting each language's stopwords (plus its distinctive letters);
 * the language with most hits wins, ties go in the order en, de, fr, es. Without any evidence
 * the answer is `en`.
 */
export function detectLanguage(text: string): StopwordLanguage {
  const tokens = words(text);
  let best: StopwordLanguage = 'en';
  let bestScore = 0;
  for (const language of ORDER) {
    let score = tokens.filter((token) => STOPWORDS[language].has(token)).length;
    for (const [letterLanguage, letters] of LETTERS) {
      if (letterLanguage === language) score += (text.match(letters) ?? []).length;
    }
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}
