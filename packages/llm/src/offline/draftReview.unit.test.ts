import { describe, expect, it } from 'vitest';
import type { DraftInput, Source } from '../tasks.js';
import { draft } from './draft.js';
import { review } from './review.js';
import { triage } from './triage.js';

const SOURCES: Source[] = [
  {
    id: 'kb-returns',
    title: 'Returns and refunds',
    score: 0.82,
    text: 'You can return any item within 30 days of delivery. Once the returned item arrives at our warehouse, the refund is issued to the original payment method within 5 business days. Refunds for orders paid by invoice are transferred to your bank account.',
  },
  {
    id: 'kb-shipping',
    title: 'Shipping times',
    score: 0.41,
    text: 'Standard shipping takes 2 to 4 business days. You can track your parcel with the link in your shipping confirmation email.',
  },
];

const REFUND_MESSAGE = 'Hi, I returned the headphones two weeks ago and still have not received my refund of €49.99 for order #1001.';

function draftInput(message: string, overrides: Partial<DraftInput> = {}): DraftInput {
  return {
    message,
    triage: triage({ message, subject: null, customerTier: 'STANDARD', history: [] }),
    sources: SOURCES,
    facts: [],
    tone: 'friendly and concise',
    previousIssues: [],
    ...overrides,
  };
}

describe('offline draft', () => {
  it('given a refund question and a relevant article, then it quotes the matching sentences and cites only that article', () => {
    const result = draft(draftInput(REFUND_MESSAGE));
    expect(result.reply).toMatch(/^Hello,/);
    expect(result.reply).toContain('the refund is issued to the original payment method within 5 business days');
    expect(result.reply).not.toContain('Standard shipping');
    expect(result.citations).toEqual(['kb-returns']);
    expect(result.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it('given tool facts, then they are in the reply', () => {
    const result = draft(draftInput(REFUND_MESSAGE, { facts: ['Order 1001: return received on 2024-05-02, refund of 49.99 EUR approved'] }));
    expect(result.reply).toContain('- Order 1001: return received on 2024-05-02, refund of 49.99 EUR approved');
  });

  it('given no source that matches, then a colleague will follow up, no citation and low confidence', () => {
    const result = draft(draftInput('Do you sell gift cards?'));
    expect(result.reply).toContain('passed your request to a colleague');
    expect(result.citations).toEqual([]);
    expect(result.confidence).toBeLessThanOrEqual(0.2);
  });

  it('given a German message, then it greets and closes in German; a formal tone changes the greeting', () => {
    const message = 'Wo ist mein Paket? Ich möchte die Sendung verfolgen, shipping confirmation email habe ich nicht.';
    expect(draft(draftInput(message)).reply).toMatch(/^Hallo,/);
    expect(draft(draftInput(message, { tone: 'formal' })).reply).toMatch(/^Sehr geehrte Damen und Herren,/);
  });

  it('never uses a source sentence that commits to a refund unless a fact confirms one', () => {
    const sources: Source[] = [{ id: 'kb-x', title: 'Refund', score: 0.9, text: 'We will refund your order immediately after you returned the headphones.' }];
    expect(draft(draftInput(REFUND_MESSAGE, { sources })).citations).toEqual([]);
    expect(draft(draftInput(REFUND_MESSAGE, { sources, facts: ['refund of 49.99 EUR approved'] })).citations).toEqual(['kb-x']);
  });

  it('given a review that asked for a citation, then the revision relaxes the overlap threshold and cites', () => {
    const message = 'When does my parcel come?';
    expect(draft(draftInput(message)).citations).toEqual([]);
    const revised = draft(draftInput(message, { previousIssues: ['missing_citation: relevant sources were found but the reply cites none'] }));
    expect(revised.citations).toEqual(['kb-shipping']);
  });

  it('given a review that found it too long, then the revision keeps one sentence', () => {
    const revised = draft(draftInput(REFUND_MESSAGE, { previousIssues: ['too_long: keep it under 1500 characters'] }));
    expect(revised.reply.split(/(?<=\.)\s/).filter((sentence) => sentence.includes('refund')).length).toBeLessThanOrEqual(1);
    expect(revised.reply.length).toBeLessThan(draft(draftInput(REFUND_MESSAGE)).reply.length);
  });
});

describe('offline review', () => {
  const triaged = triage({ message: REFUND_MESSAGE, subject: null, customerTier: 'STANDARD', history: [] });
  const base = { message: REFUND_MESSAGE, sources: SOURCES, triage: triaged };

  it('given the offline draft of a refund question, then it passes with score 1', () => {
    const written = draft(draftInput(REFUND_MESSAGE));
    expect(review({ ...base, reply: written.reply, citations: written.citations })).toEqual({ score: 1, issues: [], verdict: 'pass' });
  });

  it('given a citation that is not among the sources, then revise', () => {
    const written = draft(draftInput(REFUND_MESSAGE));
    const result = review({ ...base, reply: written.reply, citations: [...written.citations, 'kb-made-up'] });
    expect(result.verdict).toBe('revise');
    expect(result.issues).toEqual([expect.stringMatching(/^unknown_citation: .*kb-made-up/)]);
    expect(result.score).toBe(0.5);
  });

  it('given a refund commitment without a confirming fact, then revise; with one, pass', () => {
    const reply = 'Hello, we will refund the 49.99 EUR for order 1001 today. The refund is issued to the original payment method within 5 business days.';
    const unconfirmed = review({ ...base, reply, citations: ['kb-returns'] });
    expect(unconfirmed.verdict).toBe('revise');
    expect(unconfirmed.issues).toEqual([expect.stringMatching(/^unsupported_refund:/)]);
    expect(review({ ...base, reply, citations: ['kb-returns'], facts: ['refund of 49.99 EUR approved for order 1001'] }).verdict).toBe('pass');
  });

  it('given a guarantee, then a promise issue', () => {
    const result = review({ ...base, reply: 'Hello, I guarantee the refund is issued to the original payment method within 5 business days.', citations: ['kb-returns'] });
    expect(result.issues).toEqual([expect.stringMatching(/^promise:/)]);
    expect(result.score).toBe(0.7);
  });

  it('given an empty reply, then score 0', () => {
    expect(review({ ...base, reply: '  ', citations: [] })).toMatchObject({ score: 0, verdict: 'revise' });
  });

  it('given a citation the reply does not use, then low_overlap', () => {
    const result = review({ ...base, reply: 'Hello, thanks for your message. A colleague will get back to you.', citations: ['kb-returns'] });
    expect(result.issues).toEqual([expect.stringMatching(/^low_overlap:/)]);
  });

  it('given an overlong reply, then too_long', () => {
    const written = draft(draftInput(REFUND_MESSAGE));
    const result = review({ ...base, reply: `${written.reply}\n${'More words. '.repeat(200)}`, citations: written.citations });
    expect(result.issues).toEqual([expect.stringMatching(/^too_long:/)]);
  });
});
