import { describe, expect, it } from 'vitest';
import { maskDeep, maskPii, maskText } from './mask.js';

describe('maskPii', () => {
  it('replaces each finding with a placeholder that keeps only the last four of a card or an IBAN', () => {
    const text =
      'Jane here (jane@example.com, +44 20 7946 0958). Card 4242 4242 4242 4242 was charged twice; ' +
      'refund to DE89 3704 0044 0532 0130 00. SSN 123-45-6789. I live at 12 rue de la Paix, 75002 Paris.';
    const masked = maskPii(text);
    expect(masked.text).toBe(
      'Jane here ([email], [phone]). Card [card ••••4242] was charged twice; ' +
        'refund to [iban ••••3000]. SSN [national id]. I live at [address].',
    );
    expect(masked.findings.map((finding) => [finding.kind, finding.start])).toEqual([
      ['email', 11],
      ['phone', 29],
      ['card', 53],
      ['iban', 102],
      ['national_id', 135],
      ['address', 158],
    ]);
    for (const finding of masked.findings) expect(text.slice(finding.start, finding.end)).toBe(finding.text);
  });

  it('keeps an IBAN’s letters in its last four and upper-cases them', () => {
    expect(maskText('Rekening nl02 abna 0123 4567 89 graag')).toBe('Rekening [iban ••••6789] graag');
    expect(maskText('IBAN MT84 MALT 0110 0001 2345 MTLC AST0 01S')).toBe('IBAN [iban ••••001S]');
  });

  it('returns the text unchanged, and no findings, when there is nothing to mask', () => {
    const text = 'Where is my order ORD-12345? I paid 1,249.99 EUR on 2024-03-15.';
    expect(maskPii(text)).toEqual({ text, findings: [] });
  });

  it('passes the detection options on', () => {
    expect(maskText('Appelez le 06 12 34 56 78', { defaultCountry: 'FR' })).toBe('Appelez le [phone]');
    const onlyEmail = { kinds: ['email'] as const };
    expect(maskText('card 4242424242424242, jane@example.com', onlyEmail)).toBe('card 4242424242424242, [email]');
  });
});

describe('maskDeep', () => {
  it('masks every string at any depth and returns a new value', () => {
    const event = {
      conversationId: 'conv-1',
      attempts: 2,
      escalated: false,
      note: null,
      customer: { email: 'jane@example.com', phones: ['+33 6 12 34 56 78', 'none'] },
      messages: [{ role: 'customer', text: 'my card is 5555 5555 5555 4444' }],
    };
    const masked = maskDeep(event);
    expect(masked).toEqual({
      conversationId: 'conv-1',
      attempts: 2,
      escalated: false,
      note: null,
      customer: { email: '[email]', phones: ['[phone]', 'none'] },
      messages: [{ role: 'customer', text: 'my card is [card ••••4444]' }],
    });
    expect(masked).not.toBe(event);
    expect(event.customer.email).toBe('jane@example.com');
  });

  it('keeps sealed values, keys and objects that are not plain data', () => {
    const sealed = `enc:v1:AAAAAAAAAAAAAAAA:${'4242424242424242'.repeat(3)}`;
    const at = new Date('2026-01-01T00:00:00Z');
    const masked = maskDeep({ sealed, at, 'jane@example.com': 'x', list: [sealed] });
    expect(masked.sealed).toBe(sealed);
    expect(masked.at).toBe(at);
    expect(Object.keys(masked)).toEqual(['sealed', 'at', 'jane@example.com', 'list']);
    expect(masked.list).toEqual([sealed]);
  });

  it('masks a bare string and leaves other scalars as they are', () => {
    expect(maskDeep('mail jane@example.com')).toBe('mail [email]');
    expect(maskDeep(42)).toBe(42);
    expect(maskDeep(undefined)).toBeUndefined();
  });
});
