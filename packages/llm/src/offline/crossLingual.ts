import { englishTerms } from '@supportstream/domain';
import { contentWords, stem } from './text.js';

/** The English stems a message's words translate to (none for an English message): the glossary of @supportstream/domain. */
export function englishStems(text: string): Set<string> {
  return new Set(contentWords(englishTerms(text).join(' ')).map(stem));
}
