import { isAgentNote } from '@supportstream/domain';
import type { ReviewInput, ReviewOutput } from '../tasks.js';
import { factsMentionRefund, MAX_REPLY_CHARS, MIN_REPLY_CHARS, PROMISES, REFUND_COMMITMENT } from './replyRules.js';
import { overlap, round2, stems } from './text.js';

/**
 * Offline review: rule checks, each with a penalty; score = 1 − the sum of penalties (at least
 * 0), verdict `pass` when score ≥ PASS_SCORE. Each issue starts with a stable code
 * (`empty_reply: …`) so a revising draft, or a dashboard, can act on it.
 */

export const PASS_SCORE = 0.7;
/** A cited source must share at least this many word stems with the reply. */
const MIN_SHARED_STEMS = 3;
/** Sources at least this relevant should have been cited. */
const RELEVANT_SOURCE_SCORE = 0.5;

const PENALTY = {
  empty_reply: 1,
  too_long: 0.3,
  unknown_citation: 0.5,
  low_overlap: 0.3,
  missing_citation: 0.2,
  unsupported_refund: 0.5,
  promise: 0.3,
} as const;

type IssueCode = keyof typeof PENALTY;

export function review(input: ReviewInput): ReviewOutput {
  const found: { code: IssueCode; text: string }[] = [];
  const issue = (code: IssueCode, detail: string) => found.push({ code, text: `${code}: ${detail}` });
  const reply = input.reply.trim();

  if (reply.length < MIN_REPLY_CHARS) issue('empty_reply', 'the reply is empty or says nothing');
  if (reply.length > MAX_REPLY_CHARS) issue('too_long', `the reply has ${reply.length} characters; keep it under ${MAX_REPLY_CHARS}`);

  const byId = new Map(input.sources.map((source) => [source.id, source]));
  const unknown = input.citations.filter((id) => !byId.has(id));
  if (unknown.length > 0) issue('unknown_citation', `cited ${unknown.join(', ')}, which is not among the sources`);

  const replyStems = stems(reply);
  const unused = input.citations.filter((id) => {
    const source = byId.get(id);
    return source !== undefined && overlap(replyStems, stems(source.text)) < MIN_SHARED_STEMS;
  });
  if (unused.length > 0) issue('low_overlap', `the reply does not use the cited source ${unused.join(', ')}`);

  // A note for agents is never cited, however relevant (the quality node holds replies to that).
  if (input.citations.length === 0 && input.sources.some((source) => !isAgentNote(source) && source.score >= RELEVANT_SOURCE_SCORE)) {
    issue('missing_citation', 'relevant sources were found but the reply cites none');
  }
  if (REFUND_COMMITMENT.test(reply) && !factsMentionRefund(input.facts ?? [])) {
    issue('unsupported_refund', 'the reply commits to a refund that no tool result confirms');
  }
  const promises = PROMISES.find(reply);
  if (promises.length > 0) issue('promise', `the reply promises what nobody checked (${promises.join(', ')})`);

  const penalty = found.reduce((sum, { code }) => sum + PENALTY[code], 0);
  const score = round2(Math.max(0, 1 - penalty));
  return { score, issues: found.map(({ text }) => text), verdict: score >= PASS_SCORE ? 'pass' : 'revise' };
}
