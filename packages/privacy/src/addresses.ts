import { finding, type PiiFinding } from './findings.js';

/**
 * Street addresses, conservatively: a house number next to a street name that carries a street
 * word of English, German, French, Spanish or Dutch, optionally followed by a postal code and a
 * town. Precision over recall: an address without a street word, in lower case, or in another
 * layout is not found. Works on whitespace-separated tokens, each looked at a bounded number of times.
 */

interface Token {
  readonly text: string;
  /** Without a final period (the end of a sentence or an abbreviation). */
  readonly bare: string;
  /** `bare` in lower case. */
  readonly word: string;
  readonly start: number;
  readonly end: number;
  /** Only spaces between this token and the previous one (no comma, no line break). */
  readonly joined: boolean;
  /** Only spaces or one comma between this token and the previous one. */
  readonly near: boolean;
}

const TOKEN = /[^\s,;:!?()[\]{}"“”«»<>]+/gu;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let previousEnd = -1;
  for (const match of text.matchAll(TOKEN)) {
    const gap = previousEnd < 0 ? '\n' : text.slice(previousEnd, match.index);
    const bare = match[0].replace(/\.$/, '');
    tokens.push({
      text: match[0],
      bare,
      word: bare.toLowerCase(),
      start: match.index,
      end: match.index + match[0].length,
      joined: /^[ \t]+$/.test(gap),
      near: /^[ \t]*,?[ \t]*$/.test(gap) && gap.length > 0,
    });
    previousEnd = match.index + match[0].length;
  }
  return tokens;
}

const HOUSE_NUMBER = /^\d{1,5}[A-Za-z]?$/;
const CAPITALIZED = /^\p{Lu}[\p{L}'’.-]*$/u;

const EN_STREET_WORDS = new Set([
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'boulevard', 'blvd', 'lane', 'ln', 'drive', 'dr', 'way',
  'place', 'pl', 'court', 'ct', 'terrace', 'crescent', 'parkway', 'highway', 'hwy', 'square',
]);
// German and Dutch write the street word into the name (Hauptstraße, Kalverstraat). Some endings
// also end everyday nouns (Rückweg, Arbeitsplatz): those count only with a postal code after them.
const DE_NL_STREET_ENDINGS = [
  'straße', 'strasse', 'allee', 'gasse', 'damm', 'chaussee', 'straat', 'laan', 'gracht', 'kade', 'singel',
];
const DE_NL_WEAK_ENDINGS = ['weg', 'platz', 'ufer', 'plein', 'dijk', 'steeg'];
const FR_STREET_WORDS = new Set([
  'rue', 'avenue', 'av', 'boulevard', 'bd', 'place', 'chemin', 'allée', 'impasse', 'quai', 'route', 'cours', 'square',
]);
const FR_PARTICLES = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'et', "d'", "l'", 'd’', 'l’']);
const ES_STREET_WORDS = new Set([
  'calle', 'c/', 'avenida', 'avda', 'av', 'plaza', 'paseo', 'camino', 'carretera', 'ronda', 'travesía', 'glorieta',
]);
const ES_PARTICLES = new Set(['de', 'del', 'la', 'las', 'los', 'el', 'y']);

/** A match: the first and last token of the address. */
interface Span {
  readonly first: number;
  readonly last: number;
  /** Counts only when a postal code follows. */
  readonly weak?: boolean;
}

function isHouseNumber(token: Token | undefined): boolean {
  return token !== undefined && HOUSE_NUMBER.test(token.bare);
}

function isName(token: Token | undefined): boolean {
  return token !== undefined && token.joined && CAPITALIZED.test(token.text);
}

function endsWithOneOf(token: Token, endings: readonly string[]): boolean {
  const compound = (ending: string) => token.word.endsWith(ending) && token.word.length > ending.length;
  return CAPITALIZED.test(token.text) && endings.some(compound);
}

function hasStreetEnding(token: Token): boolean {
  const abbreviated = CAPITALIZED.test(token.text) && /\p{L}str\.$/iu.test(token.text);
  return abbreviated || endsWithOneOf(token, DE_NL_STREET_ENDINGS);
}

/** 221 Baker Street, 1600 Pennsylvania Avenue: a number, one to three capitalized words, a street word. */
function englishStreet(tokens: readonly Token[], i: number): Span | undefined {
  if (!isHouseNumber(tokens[i])) return undefined;
  for (let names = 1; names <= 3; names++) {
    if (!isName(tokens[i + names])) return undefined;
    const suffix = tokens[i + names + 1];
    if (suffix?.joined === true && EN_STREET_WORDS.has(suffix.word)) return { first: i, last: i + names + 1 };
  }
  return undefined;
}

// Written as a word of their own after the name: "Berliner Straße 5", "Berliner Str. 5".
const DE_NL_STREET_WORDS = new Set(['straße', 'strasse', 'str', 'weg', 'allee', 'straat']);

/** Hauptstraße 5, Berliner Str. 12a, Kalverstraat 92: the street word in or after the name, then the number. */
function germanicStreet(tokens: readonly Token[], i: number): Span | undefined {
  const street = tokens[i];
  const number = tokens[i + 1];
  if (street === undefined || number?.joined !== true || !/^\d{1,4}[a-zA-Z]?$/.test(number.bare)) return undefined;
  if (hasStreetEnding(street)) return { first: i, last: i + 1 };
  if (endsWithOneOf(street, DE_NL_WEAK_ENDINGS)) return { first: i, last: i + 1, weak: true };
  const before = tokens[i - 1];
  const separate = street.joined && CAPITALIZED.test(street.text) && DE_NL_STREET_WORDS.has(street.word);
  return separate && before !== undefined && CAPITALIZED.test(before.text) ? { first: i - 1, last: i + 1 } : undefined;
}

/** Name tokens from `from`: capitalized words and the given particles, ending on a capitalized word. */
function nameTokens(
  tokens: readonly Token[],
  from: number,
  particles: ReadonlySet<string>,
  most: number,
): number | undefined {
  let last: number | undefined;
  for (let j = from; j < from + most; j++) {
    const token = tokens[j];
    if (token === undefined || !token.joined) break;
    if (CAPITALIZED.test(token.text) || /^[dl]['’]\p{Lu}/u.test(token.text)) last = j;
    else if (!particles.has(token.word)) break;
  }
  return last;
}

/** 12 rue de la Paix, 5 bis, avenue Victor Hugo: number, street word, name. */
function frenchStreet(tokens: readonly Token[], i: number): Span | undefined {
  if (!isHouseNumber(tokens[i])) return undefined;
  let k = i + 1;
  if (tokens[k]?.joined === true && /^(bis|ter)$/.test(tokens[k]?.word ?? '')) k++;
  const type = tokens[k];
  if (type === undefined || !type.near || !FR_STREET_WORDS.has(type.word)) return undefined;
  const last = nameTokens(tokens, k + 1, FR_PARTICLES, 6);
  return last === undefined ? undefined : { first: i, last };
}

/** Calle Mayor 5, Avenida de la Constitución, 12: street word, name, number. */
function spanishStreet(tokens: readonly Token[], i: number): Span | undefined {
  const type = tokens[i];
  if (type === undefined || !ES_STREET_WORDS.has(type.word)) return undefined;
  const lastName = nameTokens(tokens, i + 1, ES_PARTICLES, 6);
  if (lastName === undefined) return undefined;
  let k = lastName + 1;
  if (tokens[k]?.near === true && /^(n\.?º|nº|no|núm)$/.test(tokens[k]?.word ?? '')) k++;
  const number = tokens[k];
  if (number?.near !== true || !/^\d{1,4}[A-Za-z]?$/.test(number.bare)) return undefined;
  return { first: i, last: k };
}

const STREETS = [englishStreet, germanicStreet, frenchStreet, spanishStreet];

/** ", 75002 Paris", ", 1012 PH Amsterdam", ", Springfield, IL 62704": the last token of the tail, if there is one. */
function postalTail(tokens: readonly Token[], last: number): number {
  const next = (k: number) => (tokens[k]?.near === true ? tokens[k] : undefined);
  const code = next(last + 1);
  if (code !== undefined && /^\d{5}$/.test(code.bare) && isName(tokens[last + 2])) return last + 2;
  const dutchLetters = /^[A-Z]{2}$/.test(tokens[last + 2]?.bare ?? '');
  if (code !== undefined && /^\d{4}$/.test(code.bare) && dutchLetters && isName(tokens[last + 3])) return last + 3;
  // A US town of one to three words, the state, the ZIP code.
  for (let words = 1; words <= 3; words++) {
    const town = tokens.slice(last + 1, last + 1 + words);
    const townWord = (token: Token, index: number) =>
      (index === 0 ? token.near : token.joined) && CAPITALIZED.test(token.text);
    if (town.length < words || !town.every(townWord)) break;
    const state = next(last + 1 + words);
    const zip = tokens[last + 2 + words];
    const zipValid = zip?.joined === true && /^\d{5}(-\d{4})?$/.test(zip.bare);
    if (state !== undefined && /^[A-Z]{2}$/.test(state.bare) && zipValid) return last + 2 + words;
  }
  return last;
}

// A period after a street word is part of it only when the word is an abbreviation.
const ABBREVIATIONS = /^(st|ave|rd|blvd|ln|dr|pl|ct|hwy|av|bd|avda|str|[\p{L}]+str)\.$/iu;

function endOf(token: Token): number {
  return token.text.endsWith('.') && !ABBREVIATIONS.test(token.text) ? token.end - 1 : token.end;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const STREET_WORDS = [...EN_STREET_WORDS, ...FR_STREET_WORDS, ...ES_STREET_WORDS, ...DE_NL_STREET_WORDS];
const STREET_ENDINGS = [...DE_NL_STREET_ENDINGS, ...DE_NL_WEAK_ENDINGS, 'str'];
/**
 * Every address form above has a street word as a whole token, or a street ending at the end of
 * one: a text with neither (most texts) holds no address, and is not tokenized.
 */
const STREET_HINT = new RegExp(
  `(?<!\\p{L})(?:${STREET_WORDS.map(escape).join('|')})(?!\\p{L})|(?:${STREET_ENDINGS.map(escape).join('|')})(?!\\p{L})`,
  'iu',
);

export function findAddresses(text: string): PiiFinding[] {
  if (!STREET_HINT.test(text)) return [];
  const tokens = tokenize(text);
  const found: PiiFinding[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const span = STREETS.map((street) => street(tokens, i)).find((match) => match !== undefined);
    if (span === undefined) continue;
    const lastIndex = postalTail(tokens, span.last);
    if (span.weak === true && lastIndex === span.last) continue;
    const first = tokens[span.first];
    const last = tokens[lastIndex];
    if (first === undefined || last === undefined) continue;
    if ((found[found.length - 1]?.end ?? 0) > first.start) continue;
    found.push(finding('address', text, first.start, endOf(last)));
    i = lastIndex;
  }
  return found;
}
