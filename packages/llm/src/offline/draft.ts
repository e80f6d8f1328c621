import { isAgentNote, isStaffInstruction } from '@supportstream/domain';
import type { DraftInput, DraftOutput, Source } from '../tasks.js';
import { factsMentionRefund, MAX_REPLY_CHARS, PROMISES, REFUND_COMMITMENT } from './replyRules.js';
import { englishStems } from './crossLingual.js';
import { clamp01, overlap, sentences, stems } from './text.js';

/**
 * Offline draft: an extractive reply. It picks the source sentences that share the most word
 * stems with the customer's message (at least MIN_OVERLAP; ties broken by retrieval score),
 * wraps them and the tool facts in a greeting and a closing, and cites the sources it used.
 * Sentences that promise something or commit to a refund no fact backs are never used, and
 * neither is text for support staff: a note for agents (a source with the audience `agent`) is
 * never quoted or cited, and a sentence that reads as an instruction to staff (`isStaffInstruction`)
 * is left out even where its article did not mark it. Without
 * a usable sentence or fact it tells the customer a colleague will follow up, with low
 * confidence. A message that only thanks gets thanks back; one that holds a card number, an IBAN
 * or an ID number (masked before it reaches the model) gets a note not to send them. A revision
 * reads the reviewer's issues: a missing citation relaxes the overlap
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
    acknowledgement: 'Thank you for letting us know. We are glad it all works now.',
    sensitive:
      'For your security, please do not send card numbers, bank details or ID numbers in a message: we never need them. Refunds go back to the original payment method, and a colleague checks identity with a few questions.',
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
    acknowledgement: 'Danke für Ihre Rückmeldung. Schön, dass alles wieder funktioniert.',
    sensitive:
      'Bitte senden Sie uns zu Ihrer Sicherheit keine Karten-, Bank- oder Ausweisnummern per Nachricht: Wir brauchen sie nie. Erstattungen gehen auf das ursprüngliche Zahlungsmittel, und die Identität prüft ein Kollege mit wenigen Fragen.',
  },
  fr: {
    greeting: 'Bonjour,',
    formalGreeting: 'Madame, Monsieur,',
    thanks: 'Merci de nous avoir écrit.',
    sorry: 'Je suis désolé pour ce désagrément.',
    facts: 'Voici ce que je vois de notre côté :',
    sources: 'Notre centre d’aide indique :',
    handoff: 'J’ai transmis votre demande à un collègue qui vous répondra rapidement.',
    closing: 'Si quelque chose n’est pas clair, répondez simplement à ce message.',
    signature: 'Votre service client',
    acknowledgement: 'Merci de nous avoir prévenus. Nous sommes ravis que tout fonctionne.',
    sensitive:
      'Pour votre sécurité, n’envoyez pas de numéro de carte, de coordonnées bancaires ni de numéro d’identité par message : nous n’en avons jamais besoin. Les remboursements se font sur le moyen de paiement d’origine, et un collègue vérifie l’identité par quelques questions.',
  },
  es: {
    greeting: 'Hola:',
    formalGreeting: 'Estimado cliente:',
    thanks: 'Gracias por escribirnos.',
    sorry: 'Siento las molestias.',
    facts: 'Esto es lo que veo por nuestra parte:',
    sources: 'Según nuestro centro de ayuda:',
    handoff: 'He pasado su solicitud a un compañero que le responderá en breve.',
    closing: 'Si algo no queda claro, responda a este mensaje.',
    signature: 'Su equipo de atención al cliente',
    acknowledgement: 'Gracias por avisarnos. Nos alegra que todo funcione.',
    sensitive:
      'Por su seguridad, no envíe números de tarjeta, datos bancarios ni números de identidad por mensaje: nunca los necesitamos. Los reembolsos se hacen al medio de pago original, y un compañero verifica la identidad con unas preguntas.',
  },
} as const;

/** Masked card numbers, IBANs and national ids (the prompt's placeholders): data a customer should not send. */
const SENSITIVE_PLACEHOLDER = /\[(?:card|iban) ••••|\[national id\]/;

interface Candidate {
  readonly source: Source;
  readonly sourceIndex: number;
  readonly position: number;
  readonly text: string;
  readonly overlap: number;
}

const phrasesFor = (language: string) => (language === 'de' || language === 'fr' || language === 'es' ? PHRASES[language] : PHRASES.en);

/** A message that only thanks or says the problem went away: nothing to answer but the thanks. */
function isAcknowledgement(input: DraftInput): boolean {
  return input.triage.category === 'other' && input.triage.sentiment === 'positive' && !/[?¿]/.test(input.message) && input.facts.length === 0;
}

export function draft(input: DraftInput): DraftOutput {
  const phrases = phrasesFor(input.triage.language);
  if (isAcknowledgement(input)) {
    const greeting = /formal/i.test(input.tone) ? phrases.formalGreeting : phrases.greeting;
    return { reply: [greeting, phrases.acknowledgement, phrases.signature].join('\n\n'), citations: [], confidence: 0.8 };
  }
  const issues = input.previousIssues.join('\n');
  const wantsCitation = /missing.?citation|cites? none|no citations?/i.test(issues);
  const wantsShort = /too.?long|shorter|length/i.test(issues);
  const chosen = chooseSentences(input, wantsCitation ? 1 : MIN_OVERLAP, wantsShort ? 1 : MAX_SENTENCES);

  const parts: string[] = [/formal/i.test(input.tone) ? phrases.formalGreeting : phrases.greeting];
  parts.push(input.triage.sentiment === 'negative' ? phrases.sorry : phrases.thanks);
  if (input.facts.length > 0) parts.push(`${phrases.facts}\n${input.facts.map((fact) => `- ${fact}`).join('\n')}`);
  if (chosen.length > 0) parts.push(`${phrases.sources} ${chosen.map((candidate) => candidate.text).join(' ')}`);
  const sensitive = SENSITIVE_PLACEHOLDER.test(input.message);
  if (sensitive) parts.push(phrases.sensitive);
  const handoff = chosen.length === 0 && input.facts.length === 0 && !sensitive;
  if (handoff) parts.push(phrases.handoff);
  if (!handoff && !wantsShort) parts.push(phrases.closing);
  parts.push(phrases.signature);

  let reply = parts.join('\n\n');
  if (reply.length > MAX_REPLY_CHARS) reply = `${reply.slice(0, MAX_REPLY_CHARS - 1)}…`;
  const citations = [...new Set(chosen.map((candidate) => candidate.source.id))];
  return { reply, citations, confidence: confidenceOf(chosen.length, input, sensitive) };
}

function chooseSentences(input: DraftInput, minOverlap: number, maxSentences: number): Candidate[] {
  // The message's own stems and their English translations: the knowledge base may be English only.
  const message = new Set([...stems(input.message), ...englishStems(input.message)]);
  const refundBacked = factsMentionRefund(input.facts);
  const candidates = input.sources.flatMap((source, sourceIndex) =>
    // Notes for agents are context for decisions, never text for the customer.
    (isAgentNote(source) ? [] : sentences(source.text))
      .map((text, position) => ({ source, sourceIndex, position, text, overlap: overlap(message, stems(text)) }))
      .filter((candidate) => candidate.text.length <= MAX_SENTENCE_CHARS && candidate.overlap >= minOverlap)
      .filter((candidate) => PROMISES.find(candidate.text).length === 0 && (refundBacked || !REFUND_COMMITMENT.test(candidate.text)))
      .filter((candidate) => !isStaffInstruction(candidate.text)),
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

function confidenceOf(sentenceCount: number, input: DraftInput, safetyNote: boolean): number {
  const hasFacts = input.facts.length > 0;
  // The safety note answers a message that only hands over sensitive data; a fact or a source does better.
  let confidence = sentenceCount === 0 ? (hasFacts ? 0.55 : safetyNote ? 0.5 : 0.2) : Math.min(0.9, 0.5 + 0.12 * sentenceCount + (hasFacts ? 0.1 : 0));
  // A legal threat needs a human whatever the knowledge base says.
  if (input.triage.signals.includes('legal_threat')) confidence = Math.min(confidence, 0.4);
  return Math.round(confidence * 100) / 100;
}
