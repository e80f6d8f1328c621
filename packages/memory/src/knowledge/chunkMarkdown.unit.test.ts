import { describe, expect, it } from 'vitest';
import { chunkMarkdown, slug } from './chunkMarkdown.js';

const doc = `---
title: ignored front matter
---
Intro before any heading.

# Refund policy

Refunds go to the original payment method.

## Duplicate charges

If you were **charged twice**, the duplicate is refunded in full.

A pending authorisation is not a charge.

## Refund window

### Exceptions

Gift cards are not refundable.

\`\`\`text
# not a heading

still the same code block
\`\`\`
`;

describe('chunkMarkdown', () => {
  it('splits on headings and keeps the heading trail as title', () => {
    const chunks = chunkMarkdown('refund-policy.md', doc);
    expect(chunks.map((chunk) => [chunk.id, chunk.title, chunk.index])).toEqual([
      ['refund-policy.md#_:0', 'refund-policy.md', 0],
      ['refund-policy.md#refund-policy:0', 'Refund policy', 0],
      ['refund-policy.md#refund-policy/duplicate-charges:0', 'Refund policy › Duplicate charges', 0],
      // "Refund window" has no text of its own: no chunk; its child keeps it in the trail.
      ['refund-policy.md#refund-policy/refund-window/exceptions:0', 'Refund policy › Refund window › Exceptions', 0],
    ]);
    expect(chunks[2]!.headings).toEqual(['Refund policy', 'Duplicate charges']);
    expect(chunks[2]!.text).toBe('If you were **charged twice**, the duplicate is refunded in full.\n\nA pending authorisation is not a charge.');
    expect(chunks[3]!.text).toContain('# not a heading\n\nstill the same code block');
    expect(chunks.map((chunk) => chunk.text).join('\n')).not.toContain('ignored front matter');
  });

  it('packs paragraphs up to maxChars and splits an overlong paragraph at sentences', () => {
    const paragraph = (n: number) => `Paragraph ${n} ${'word '.repeat(15).trim()}.`;
    const long = Array.from({ length: 12 }, (_, i) => `Sentence ${i} is here with some padding words.`).join(' ');
    const text = `# Long\n\n${[1, 2, 3, 4, 5].map(paragraph).join('\n\n')}\n\n${long}\n`;
    const chunks = chunkMarkdown('long.md', text, { maxChars: 200 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(200);
    expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, i) => i));
    // Nothing lost, nothing cut mid-sentence in the long paragraph.
    const joined = chunks.map((chunk) => chunk.text).join(' ');
    for (let i = 0; i < 12; i++) expect(joined).toContain(`Sentence ${i} is here with some padding words.`);
    for (let n = 1; n <= 5; n++) expect(joined).toContain(paragraph(n));
  });

  it('gives repeated heading trails distinct ids and keeps ids stable when other sections change', () => {
    const first = chunkMarkdown('faq.md', '# FAQ\n## Example\none\n# FAQ\n## Example\ntwo\n');
    expect(first.map((chunk) => chunk.id)).toEqual(['faq.md#faq/example:0', 'faq.md#faq/example~1:0']);
    const before = chunkMarkdown('a.md', '# A\n## B\nb text\n## C\nc text\n');
    const after = chunkMarkdown('a.md', '# A\n## B\nb text changed\n## New\nnew\n## C\nc text\n');
    const idOf = (chunks: typeof before, title: string) => chunks.find((chunk) => chunk.title === title)?.id;
    expect(idOf(after, 'A › C')).toBe(idOf(before, 'A › C'));
    expect(idOf(after, 'A › B')).toBe(idOf(before, 'A › B'));
  });

  it('strips inline markup from headings and handles CRLF and deep levels', () => {
    const chunks = chunkMarkdown('x.md', '# **Refunds** over [25 EUR](https://x)\r\n\r\ntext\r\n#### Deep ####\r\nmore\r\n');
    expect(chunks.map((chunk) => chunk.title)).toEqual(['Refunds over 25 EUR', 'Refunds over 25 EUR › Deep']);
    expect(chunks[0]!.text).toBe('text');
  });

  it('keeps a note for agents apart: its own chunk with the audience agent, without the marker, and the customer ids unchanged', () => {
    const article = [
      '# Refund policy',
      '## Duplicate charges',
      'A duplicate charge is **refunded in full**.',
      '',
      '> **For agents:** Confirm the two captured payments in the billing system',
      '> before you propose the refund.',
      '>',
      '> A duplicate above 25.00 EUR goes to a supervisor.',
      '',
      'A pending authorisation is not a charge.',
      '',
      '**For agents**: Ask whether both amounts are completed.',
      '',
      '> A quote that is no note stays customer text.',
      '## Agents only',
      '> For agents: the whole section is internal.',
      '',
    ].join('\n');
    const chunks = chunkMarkdown('refund-policy.md', article);
    expect(chunks.map((chunk) => [chunk.id, chunk.audience, chunk.index])).toEqual([
      ['refund-policy.md#refund-policy/duplicate-charges:0', 'customer', 0],
      ['refund-policy.md#refund-policy/duplicate-charges:agent:0', 'agent', 0],
      ['refund-policy.md#refund-policy/agents-only:agent:0', 'agent', 0],
    ]);
    const [customer, note, internal] = chunks;
    expect(customer!.text).toBe('A duplicate charge is **refunded in full**.\n\nA pending authorisation is not a charge.\n\n> A quote that is no note stays customer text.');
    expect(note!.text).toBe(
      'Confirm the two captured payments in the billing system\nbefore you propose the refund.\n\nA duplicate above 25.00 EUR goes to a supervisor.\n\nAsk whether both amounts are completed.',
    );
    expect(note!.title).toBe('Refund policy › Duplicate charges');
    expect(internal!.text).toBe('the whole section is internal.');
    // The ids of the customer chunks are those of the same article without notes.
    const unmarked = chunkMarkdown('refund-policy.md', article.replace(/^(?:> )?\*\*For agents.*(?:\n>.*)*\n/gm, ''));
    expect(unmarked.filter((chunk) => chunk.audience === 'customer').map((chunk) => chunk.id)).toEqual([customer!.id]);
    expect(chunkMarkdown('plain.md', '# Plain\ntext\n').map((chunk) => chunk.audience)).toEqual(['customer']);
  });

  it('slugs accents and punctuation', () => {
    expect(slug('Password reset & 2FA: Über-Schritte')).toBe('password-reset-2fa-uber-schritte');
    expect(slug('!!!')).toBe('section');
  });
});
