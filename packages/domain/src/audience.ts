import type { Source } from './contracts.js';

/**
 * Knowledge written for support staff, kept out of customer replies. Authors mark such passages
 * (`> **For agents:**`, see knowledge/README.md) and ingest gives them the audience `agent`; the
 * rules here are what the agents hold replies to, whatever the model.
 */

/** A passage for staff: context for decisions, never text for the customer. */
export const isAgentNote = (source: Pick<Source, 'audience'>): boolean => source.audience === 'agent';

/**
 * Sentences that address support staff rather than a customer: an instruction to the agent (`ask
 * the customer`, `check the billing system`), what agents may or must do (`Support agents may
 * issue…`, `the agent opens a trace`), or an action that skips approval (`does not need
 * supervisor approval`). English, as the knowledge base is. A safety net under the marking: the
 * offline draft never quotes such a sentence, and a test holds knowledge/ to having none outside
 * a note for agents. A customer-facing sentence may still name a human agent or a supervisor
 * ("a human agent can look it up", "a supervisor approves it").
 */
const STAFF_INSTRUCTION = [
  /\b(?:support|automated)\s+agents?\b/i,
  /\bthe\s+agent\b/i,
  /\bagents\s+(?:may|must|should|cannot|can't|can\s+never|never|do\s+not|don't)\b/i,
  /\b(?:ask|tell|thank|remind|inform|offer)s?\s+the\s+customer\b/i,
  /\bthe\s+customer\s+is\s+(?:told|asked|offered|informed|reminded)\b/i,
  /\b(?:without|(?:does|do)\s+not\s+need|doesn't\s+need|no\s+need\s+for)\s+(?:a\s+)?(?:supervisor(?:'s)?\s+)?approval\b/i,
  /\bhand\s+(?:the|this)\s+(?:case|conversation)\s+(?:over\s+)?to\b/i,
  /\bbilling\s+system\b/i,
];

export function isStaffInstruction(sentence: string): boolean {
  return STAFF_INSTRUCTION.some((pattern) => pattern.test(sentence));
}

/** This many consecutive words of a note in a reply are a quote of it. */
export const QUOTED_WORDS = 8;

const words = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');

function runsOf(text: string): Set<string> {
  const list = words(text);
  const runs = new Set<string>();
  for (let i = 0; i + QUOTED_WORDS <= list.length; i++) runs.add(list.slice(i, i + QUOTED_WORDS).join(' '));
  return runs;
}

/**
 * The ids of the notes for agents that a reply cites or quotes, in the order of the sources. A
 * quote is QUOTED_WORDS consecutive words of a note, compared without case or punctuation, that
 * no customer passage among the sources has too: a note often restates what the customer may
 * read ("agents cannot see why a bank declined a card" beside "we cannot see why…"), and quoting
 * the customer's version is no leak. Empty when the reply keeps to customer text.
 */
export function agentNotesUsed(reply: string, citations: readonly string[], sources: readonly Source[]): string[] {
  const notes = sources.filter(isAgentNote);
  if (notes.length === 0) return [];
  const cited = new Set(citations);
  const replyRuns = runsOf(reply);
  const customerRuns = new Set(sources.filter((source) => !isAgentNote(source)).flatMap((source) => [...runsOf(source.text)]));
  const quotes = (note: Source) => [...runsOf(note.text)].some((run) => replyRuns.has(run) && !customerRuns.has(run));
  return notes.filter((note) => cited.has(note.id) || quotes(note)).map((note) => note.id);
}
