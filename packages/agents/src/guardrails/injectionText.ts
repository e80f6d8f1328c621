/**
 * The text the prompt-injection rules read, normalised so that cheap disguises do not get past a
 * fixed phrase: case, accents, full-width and look-alike letters, invisible characters, repeated
 * spaces, and light leetspeak (`1gnore all pr3vious instructi0ns`).
 */
export interface InjectionText {
  /**
   * Lower case, accents removed, invisible characters removed, look-alikes mapped, punctuation
   * and line breaks kept: what the role-marker rules read (`<|im_start|>`, `system:` at a line start).
   */
  readonly marked: string;
  /**
   * Word forms, each a string of words separated by one space, accents removed, with ` . ` where
   * a sentence or a paragraph ends. The first is the text as written; the second also reads digits and
   * symbols inside words as letters (`1gnore` → `ignore`, `p@ssw0rd` → `password`) and joins words
   * split by `.`, `-`, `_` or `*` (`ig-nore`). A rule matches when it matches either: the second
   * would spoil ids such as `cust42`, the first would miss the disguises.
   */
  readonly variants: readonly [string, string];
  /**
   * The first word form with every pair of capitalised words (`Ada Lovelace`, not `Support Team`)
   * read as the word `personname`: what lets a rule see "the e-mail of Ada Lovelace".
   */
  readonly withNames: string;
}

// Soft hyphen, Mongolian vowel separator, zero-width spaces and joiners, direction marks and
// overrides, word joiner and invisible operators, byte-order mark; and the private-use area (no
// text needs it, and the word form uses one of its characters to mark sentence ends).
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ue000-\uf8ff]/gu;

/** Cyrillic and Greek letters that look like Latin ones (NFKC leaves them alone). */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', κ: 'k',
  ο: 'o', α: 'a', ι: 'i', ε: 'e', ν: 'v', τ: 't', ρ: 'p',
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

function visible(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

function lowered(text: string): string {
  return text.toLowerCase().replace(LOOK_ALIKE, (letter) => LOOK_ALIKES[letter] ?? letter);
}

function withoutAccents(text: string): string {
  return text.replace(/ß/g, 'ss').replace(/œ/g, 'oe').replace(/æ/g, 'ae').normalize('NFKD').replace(/\p{M}/gu, '');
}

const BOUNDARY = '\ue000';

/**
 * Sentence ends and blank lines become ` . `, every other run of non-letters one space. A single
 * line break is a space: a phrase split over two lines is still the phrase.
 */
function toWords(text: string): string {
  return text
    .replace(/[.!?;:]+(?=\s|$)|\n\s*\n/gu, ` ${BOUNDARY} `)
    .replace(/[^\p{L}\p{N}\ue000]+/gu, ' ')
    .replace(/\ue000(?: \ue000)*/gu, '.')
    .trim();
}

/** `pr3vious` → `previous`; a word of digits only (`1001`) stays as it is. */
function unLeet(word: string): string {
  if (!/\p{L}/u.test(word) || !/[0-9@$]/.test(word)) return word;
  return word.replace(/[013457@$]/g, (char) => LEET[char] ?? char);
}

/** Leetspeak in words that also have letters, and words split by `.-_*` joined. */
function disguisesUndone(text: string): string {
  return text.replace(/(?<=\p{L})[.\-_*](?=\p{L})/gu, '').replace(/[\p{L}\p{N}@$]+/gu, unLeet);
}

/** Words that make a capitalised pair a team, a company or a product rather than a person. */
const NOT_A_PERSON = new Set(
  [
    'Support Team Service Services Customer Customers Department Shop Store Inc Ltd Llc Gmbh Ag Sa Sas Sl Co Company',
    'Kundenservice Kundendienst Abteilung Order Orders Account Premium Standard Plan Pro Plus Mr Mrs Ms Dr Dear Hi',
    'Hello Hallo Bonjour Hola',
  ]
    .join(' ')
    .split(' '),
);
const NAME_PAIR = /(?<![\p{L}\p{N}])(\p{Lu}\p{Ll}+)[ \t]+(\p{Lu}\p{Ll}+)(?![\p{L}\p{N}])/gu;

function namesMarked(text: string): string {
  return text.replace(NAME_PAIR, (pair, first: string, last: string) =>
    NOT_A_PERSON.has(first) || NOT_A_PERSON.has(last) ? pair : 'personname',
  );
}

export function injectionText(text: string): InjectionText {
  const shown = visible(text);
  const base = withoutAccents(lowered(shown));
  return {
    marked: base,
    variants: [toWords(base), toWords(disguisesUndone(base))],
    withNames: toWords(withoutAccents(lowered(namesMarked(shown)))),
  };
}
