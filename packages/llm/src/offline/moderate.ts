import type { ModerateInput, ModerateOutput } from '../tasks.js';
import { lexicon, words } from './text.js';

/**
 * Moderation by a deliberately small lexicon of obviously abusive or threatening language.
 * Anger about a product or a company is allowed, swearing included ("this damn app is broken");
 * what is blocked is a threat, abuse aimed at the person ("fuck you", "you idiot",
 * "your agents are morons"), in English, German, French or Spanish.
 */

const THREATS = lexicon([
  'kill you', 'kill u', 'kill all of you', 'hurt you', 'find where you live', 'know where you live', 'burn down your*', 'blow up your*', 'shoot you',
  'bringe dich um', 'bring dich um', 'bringe euch um', 'bring euch um', 'weiss wo du wohnst', 'je vais te tuer', 'te voy a matar',
]);

/** Abuse that is aimed at someone by its very form. */
const DIRECTED = lexicon([
  'fuck you', 'fuck u', 'fuck off', 'screw you', 'go to hell', 'shut up', 'piss off', 'stfu', 'you suck', 'piece of shit',
  'fick dich', 'verpiss dich', 'halt die fresse', 'halts maul', 'leck mich', 'va te faire foutre', 'ta gueule', 'vete a la mierda', 'que te jodan',
]);

/**
 * Insults: blocked when a second-person word stands up to INSULT_WINDOW words before them ("you are
 * a useless idiot", "du bist so ein Idiot"), unless a demonstrative or article right before the
 * insult points at something else ("can you fix this idiot app").
 */
const INSULTS = new Set([
  'idiot', 'idiots', 'moron', 'morons', 'imbecile', 'imbeciles', 'asshole', 'assholes', 'bitch', 'bastard', 'bastards', 'retard', 'retards', 'scum',
  'arschloch', 'arschlocher', 'vollidiot', 'vollidioten', 'idioten', 'trottel', 'wichser', 'hurensohn', 'drecksau',
  'connard', 'connards', 'salaud', 'pendejo', 'pendejos', 'cabron', 'imbecil', 'imbeciles',
]);

const SECOND_PERSON = new Set(['you', 'your', 'youre', 'u', 'ya', 'yourself', 'du', 'dich', 'dir', 'dein', 'deine', 'ihr', 'euch', 'tu', 'toi', 'te', 'vous', 'usted', 'ustedes']);

const THIRD_PARTY = new Set(['this', 'that', 'the', 'these', 'those', 'dieser', 'diese', 'dieses', 'der', 'die', 'das', 'ce', 'cet', 'cette', 'este', 'esta', 'el', 'la']);

const INSULT_WINDOW = 4;

export function moderate(input: ModerateInput): ModerateOutput {
  const threats = THREATS.find(input.text);
  if (threats.length > 0) {
    return { verdict: 'block', categories: ['threat'], reason: `threatening language: ${threats.join(', ')}` };
  }
  const found = [...DIRECTED.find(input.text), ...directedInsults(input.text)];
  if (found.length > 0) {
    return { verdict: 'block', categories: ['harassment'], reason: `abuse aimed at a person: ${found.join(', ')}` };
  }
  return { verdict: 'allow', categories: [], reason: 'no threatening or abusive language aimed at a person' };
}

function directedInsults(text: string): string[] {
  const tokens = words(text);
  const found: string[] = [];
  tokens.forEach((token, index) => {
    if (!INSULTS.has(token)) return;
    const before = tokens.slice(Math.max(0, index - INSULT_WINDOW), index);
    const aimedElsewhere = tokens.slice(Math.max(0, index - 2), index).some((word) => THIRD_PARTY.has(word));
    if ((before.some((word) => SECOND_PERSON.has(word)) && !aimedElsewhere) || SECOND_PERSON.has(tokens[index + 1] ?? '')) found.push(token);
  });
  return found;
}
