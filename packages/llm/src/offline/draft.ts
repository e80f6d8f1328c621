import type { DraftInput, DraftOutput, Source } from '../tasks.js';
import { factsMentionRefund, MAX_REPLY_CHARS, PROMISES, REFUND_COMMITMENT } from './replyRules.js';
import { clamp01, overlap, sentences, stems } from './text.js';

/**
 * Offline draft: an extractive reply. It picks the source sentences that share the most word
 * stems with the customer's message (at least MIN_OVERLAP; ties broken by retrieval score),
 * wraps them and the tool facts in a greeting and a closing, and cites the sources it used.
 * Sentences that promise something or commit to a refund no fact backs are never used. Without
 * a usable sentence or fact it tells the customer a colleague will follow up, with low
 * confidence. A revision reads the reviewer's issues: a missing citation relaxes the overlap
 * threshold, a too-long reply keeps one sentence.
 */

const MIN_OVERLAP = 2;
const MAX_SENTENCES = 3;
const MAX_PER_SOURCE = 2;
const MAX_SENTENCE_CHARS = 300;

const PHRASES = {
  en: {
    greeting: 'Hello,',
    formalGreeting: 'Dear customer,',
    thanks: 'Thank you for reaching out.',
    sorry: 'I am sorry for the trouble.',
    facts: 'Here is what I can see on our side:',
    sources: 'From our help center:',
    handoff: 'I have passed your request to a colleague who will get back to you shortly.',
    closing: 'If anything is still unclear, just reply to this message.',
    signature: 'Your support team',
  },
  de: {
    greeting: 'Hallo,',
    formalGreeting: 'Sehr geehrte Damen und Herren,',
    thanks: 'Vielen Dank für Ihre Nachricht.',
    sorry: 'Es tut mir leid, dass es Probleme gibt.',
    facts: 'Das sehe ich bei uns:',
    sources: 'Aus unserem Hilfe-Center:',
    handoff: 'Ich habe Ihre Anfrage an das Team weitergegeben; wir melden uns in Kürze bei Ihnen.',
    closing: 'Wenn noch etwas unklar ist, antworten Sie einfach auf diese Nachricht.',
    signature: 'Ihr Support-Team',
  },
} as const;

interface Candidate {
  readonly source: Source;
  readonly sourceIndex: number;
  readonly position: number;
  readonly text: string;
  readonly overlap: number;
}

export function draft(input: DraftInput): DraftOutput {
  const phrases = input.triage.language === 'de' ? PHRASES.de : PHRASES.en;
  const issues = input.previousIssues.join('\n');
  const wantsCitation = /missing.?citation|cites? none|no citations?/i.test(issues);
  const wantsShort = /too.?long|shorter|length/i.test(issues);
  const chosen = chooseSentences(input, wantsCitation ? 1 : MIN_OVERLAP, wantsShort ? 1 : MAX_SENTENCES);

  const parts: string[] = [/formal/i.test(input.tone) ? phrases.formalGreeting : phrases.greeting];
  parts.push(input.triage.sentiment === 'negative' ? phrases.sorry : phrases.thanks);
  if (input.facts.length > 0) parts.push(`${phrases.facts}\n${input.facts.map((fact) => `- ${fact}`).join('\n')}`);
  if (chosen.length > 0) parts.push(`${phrases.sources} ${chosen.map((candidate) => candidate.text).join(' ')}`);
  const handoff = chosen.length === 0 && input.facts.length === 0;
  if (handoff) parts.push(phrases.handoff);
  if (!handoff && !wantsShort) parts.push(phrases.closing);
  parts.push(phrases.signature);

  let reply = parts.join('\n\n');
  if (reply.length > MAX_REPLY_CHARS) reply = `${reply.slice(0, MAX_REPLY_CHARS - 1)}…`;
  const citations = [...new Set(chosen.map((candidate) => candidate.source.id))];
  return { reply, citations, confidence: confidenceOf(chosen.length, input) };
}

function chooseSentences(input: DraftInput, minOverlap: number, maxSentences: number): Candidate[] {
  const message = stems(input.message);
  const refundBacked = factsMentionRefund(input.facts);
  const candidates = input.sources.flatMap((source, sourceIndex) =>
    sentences(source.text)
      .map((text, position) => ({ source, sourceIndex, position, text, overlap: overlap(message, stems(text)) }))
      .filter((candidate) => candidate.text.length <= MAX_SENTENCE_CHARS && candidate.overlap >= minOverlap)
      .filter((candidate) => PROMISES.find(candidate.text).length === 0 && (refundBacked || !REFUND_COMMITMENT.test(candidate.text))),
  );
  candidates.sort((a, b) => b.overlap + clamp01(b.source.score) - (a.overlap + clamp01(a.source.score)) || a.sourceIndex - b.sourceIndex || a.position - b.position);
  const perSource = new Map<string, number>();
  const chosen: Candidate[] = [];
  for (const candidate of candidates) {
    const used = perSource.get(candidate.source.id) ?? 0;
    if (chosen.length >= maxSentences || used >= MAX_PER_SOURCE) continue;
    perSource.set(candidate.source.id, used + 1);
    chosen.push(candidate);
  }
  // Reading order: as the sources are ranked, then as each source says it.
  return chosen.sort((a, b) => a.sourceIndex - b.sourceIndex || a.position - b.position);
}

function confidenceOf(sentenceCount: number, input: DraftInput): number {
  const hasFacts = input.facts.length > 0;
  let confidence = sentenceCount === 0 ? (hasFacts ? 0.55 : 0.2) : Math.min(0.9, 0.5 + 0.12 * sentenceCount + (hasFacts ? 0.1 : 0));
  // A legal threat needs a human whatever the knowledge base says.
  if (input.triage.signals.includes('legal_threat')) confidence = Math.min(confidence, 0.4);
  return Math.round(confidence * 100) / 100;
}
