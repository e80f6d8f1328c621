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

  it('given a note for agents and a staff sentence among the sources, then it quotes neither and cites only customer text', () => {
    const message = 'I was charged twice for order 2002. Please refund the duplicate charge.';
    const sources: Source[] = [
      {
        id: 'kb-duplicate:agent:0',
        title: 'Refund policy › Duplicate charges',
        score: 0.9,
        audience: 'agent',
        text: 'Confirm in the billing system that two captured payments exist before you refund a duplicate charge. A duplicate charge refund for an order charged twice is refunded without approval.',
      },
      {
        id: 'kb-duplicate',
        title: 'Refund policy › Duplicate charges',
        score: 0.8,
        // The second sentence is for agents but not marked: the sentence guard keeps it out all the same.
        text: 'If you were charged twice for the same order, the duplicate charge is refunded in full. Ask the customer whether both charges of the order are marked as completed before the refund.',
      },
    ];
    const result = draft(draftInput(message, { sources }));
    expect(result.reply).toContain('If you were charged twice for the same order, the duplicate charge is refunded in full.');
    expect(result.reply).not.toMatch(/billing system|without approval|Ask the customer/);
    expect(result.citations).toEqual(['kb-duplicate']);
    // Notes alone answer nothing the customer may read: a colleague follows up.
    const notesOnly = draft(draftInput(message, { sources: sources.slice(0, 1) }));
    expect(notesOnly.citations).toEqual([]);
    expect(notesOnly.reply).toContain('passed your request to a colleague');
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

  it('given a relevant note for agents and no citation, then no missing_citation: notes are never cited', () => {
    const note: Source = { id: 'kb-note', title: 'Returns › For agents', score: 0.9, audience: 'agent', text: 'Check the return in the warehouse system first.' };
    const reply = 'Hello, thanks for your message. A colleague will get back to you shortly about the headphones.';
    expect(review({ ...base, sources: [note], reply, citations: [] }).issues).toEqual([]);
    expect(review({ ...base, sources: [{ ...note, audience: 'customer' }], reply, citations: [] }).issues).toEqual([expect.stringMatching(/^missing_citation:/)]);
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

describe('offline draft across languages and without a question', () => {
  const wrapped: Source = {
    id: 'kb-locker',
    title: 'Delivery options › Parcel lockers',
    score: 0.3,
    text: 'At checkout, choose **Deliver to a parcel locker** and pick one on the map: the\ncarrier sends a pick-up code by e-mail.\n\n- An order on its way can be redirected to a parcel locker\n  through the carrier website.',
  };

  it('given a German question and an English article, then it finds the article through the glossary and answers in German', () => {
    const input = draftInput('Wie kann ich mein Passwort zurücksetzen? Die Rücksetz-E-Mail kommt nicht an.', {
      sources: [{ id: 'kb-password', title: 'Password reset', score: 0.2, text: 'To reset a forgotten password, select Forgot password on the sign-in page and follow the link in the e-mail.' }],
    });
    const result = draft(input);
    expect(result.reply).toMatch(/^Hallo,/);
    expect(result.reply).toContain('To reset a forgotten password');
    expect(result.citations).toEqual(['kb-password']);
    expect(result.confidence).toBeGreaterThanOrEqual(0.45);
  });

  it('given an article wrapped over lines, then it quotes whole sentences without markdown markers', () => {
    const result = draft(draftInput('Can you deliver my order to a parcel locker?', { sources: [wrapped] }));
    expect(result.reply).toContain('At checkout, choose Deliver to a parcel locker and pick one on the map: the carrier sends a pick-up code by e-mail.');
    expect(result.reply).not.toContain('**');
  });

  it('given a message that only thanks, then it thanks back with confidence and cites nothing', () => {
    for (const message of ['Found it in my spam folder, all sorted now. Thanks!', 'Vielen Dank für die schnelle Hilfe, alles funktioniert wieder!', 'Merci beaucoup, tout fonctionne parfaitement.']) {
      const result = draft(draftInput(message));
      expect(result.citations).toEqual([]);
      expect(result.confidence).toBeGreaterThanOrEqual(0.45);
      expect(result.reply).not.toMatch(/colleague|weitergegeben|collègue/);
    }
  });

  it('given a thank-you that also asks something, then it is not a mere acknowledgement', () => {
    const result = draft(draftInput('Thanks! And where can I see my invoices?', { sources: [] }));
    expect(result.reply).toMatch(/colleague/);
  });

  it('given a message holding a masked ID or bank number, then it warns the customer not to send them', () => {
    const result = draft(draftInput('Para verificar mi identidad: mi DNI es [national id].', { sources: [] }));
    expect(result.reply).toMatch(/^Hola:/);
    expect(result.reply).toContain('no envíe números de tarjeta, datos bancarios ni números de identidad');
    expect(result.confidence).toBe(0.5);
    const plain = draft(draftInput('Para verificar mi identidad: mi nombre es Lucía.', { sources: [] }));
    expect(plain.confidence).toBe(0.2);
  });
});
