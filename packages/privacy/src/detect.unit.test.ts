import { describe, expect, it } from 'vitest';
import { containsPii, detectPii, type DetectOptions } from './detect.js';
import type { PiiFinding } from './findings.js';

/** [kind, text, detail] of every finding, in order. */
function found(text: string, options?: DetectOptions): [string, string, string | undefined][] {
  return detectPii(text, options).map((finding) => [finding.kind, finding.text, finding.detail]);
}

function expectWellFormed(text: string, findings: readonly PiiFinding[]): void {
  for (const [index, finding] of findings.entries()) {
    expect(text.slice(finding.start, finding.end)).toBe(finding.text);
    const next = findings[index + 1];
    if (next !== undefined) expect(next.start).toBeGreaterThanOrEqual(finding.end);
  }
}

describe('detectPii: card numbers', () => {
  it('finds grouped, dashed and contiguous numbers of every network', () => {
    expect(found('My card is 4242 4242 4242 4242, exp 12/27.')).toEqual([['card', '4242 4242 4242 4242', 'visa']]);
    expect(found('Karte: 5555-5555-5555-4444 bitte abbuchen')).toEqual([['card', '5555-5555-5555-4444', 'mastercard']]);
    expect(found('Ma carte American Express 3782 822463 10005 a été débitée deux fois')).toEqual([
      ['card', '3782 822463 10005', 'amex'],
    ]);
    expect(found('Mi tarjeta es 6011111111111117.')).toEqual([['card', '6011111111111117', 'discover']]);
  });

  it('keeps a CVV or expiry typed after the number out of the finding', () => {
    expect(found('card 4242 4242 4242 4242 123 please')).toEqual([['card', '4242 4242 4242 4242', 'visa']]);
  });

  it('does not flag order ids, amounts, dates, times, tracking numbers or short numbers', () => {
    const text = [
      'Order ORD-12345 total 1,249.99 EUR (or € 1.249,99) on 2024-03-15 at 14:30, invoice 2024-000123.',
      'Tracking 1Z999AA10123456784 and 9400 1118 9922 3100 0123 45; ref 12345; epoch 1700000000000.',
      'Not a card: 4242 4242 4242 4241 (fails Luhn), 0000 0000 0000 0000, ORD-4242424242424242, 42424242424242424242.',
      'IP 192.168.1.1, version v1.2.3, 15/03/2024, 2024-03-15T14:30:00Z.',
    ].join('\n');
    expect(found(text)).toEqual([]);
  });
});

describe('detectPii: IBANs', () => {
  it('finds printed and compact IBANs of several countries', () => {
    expect(found('Please refund to DE89 3704 0044 0532 0130 00, thanks')).toEqual([
      ['iban', 'DE89 3704 0044 0532 0130 00', 'DE'],
    ]);
    expect(found('Mon IBAN : FR14 2004 1010 0505 0001 3M02 606.')).toEqual([
      ['iban', 'FR14 2004 1010 0505 0001 3M02 606', 'FR'],
    ]);
    expect(found('Mi cuenta ES9121000418450200051332 y la otra IT60X0542811101000000123456')).toEqual([
      ['iban', 'ES9121000418450200051332', 'ES'],
      ['iban', 'IT60X0542811101000000123456', 'IT'],
    ]);
    expect(found('Mijn rekening: nl91 abna 0417 1643 00')).toEqual([['iban', 'nl91 abna 0417 1643 00', 'NL']]);
  });

  it('rejects a wrong check, a wrong length and an unknown country', () => {
    expect(found('DE89 3704 0044 0532 0130 01 and DE89 3704 0044 0532 0130 and US12 3456 7890 1234 5678')).toEqual([]);
  });
});

describe('detectPii: e-mail addresses', () => {
  it('finds addresses with plus tags, subdomains and non-ASCII letters', () => {
    expect(found('Mail me at jane.doe+shop@example.co.uk or <jürgen.müller@beispiel.de>.')).toEqual([
      ['email', 'jane.doe+shop@example.co.uk', undefined],
      ['email', 'jürgen.müller@beispiel.de', undefined],
    ]);
  });

  it('does not flag handles, local hosts or addresses without a top-level domain', () => {
    expect(found('ping @handle, root@localhost, foo@bar, a@b.c, @@, x@.com')).toEqual([]);
  });
});

describe('detectPii: phone numbers', () => {
  it('finds international numbers in any language and national ones of the default country', () => {
    expect(found('Call me at (212) 555-0199 tomorrow')).toEqual([['phone', '(212) 555-0199', 'US']]);
    expect(found('Llámame al +34 612 345 678 o escribe a maria@correo.es')).toEqual([
      ['phone', '+34 612 345 678', 'ES'],
      ['email', 'maria@correo.es', undefined],
    ]);
    expect(found('Ruf mich an: +49 30 12345678')).toEqual([['phone', '+49 30 12345678', 'DE']]);
    const french = { defaultCountry: 'FR' };
    expect(found('Appelez-moi au 06 12 34 56 78', french)).toEqual([['phone', '06 12 34 56 78', 'FR']]);
    // Without a country prefix, a French number is not a US one.
    expect(found('Appelez-moi au 06 12 34 56 78')).toEqual([]);
  });

  it('takes national numbers only when grouped as the country groups them, or not grouped', () => {
    expect(found('call 212-555-0199, 1-212-555-0199, 212.555.0199 or 2125550199').map(([, text]) => text)).toEqual([
      '212-555-0199',
      '1-212-555-0199',
      '212.555.0199',
      '2125550199',
    ]);
    // A valid US number by its digits, but written as an invoice number.
    expect(found('invoice 2024-000123')).toEqual([]);
    const french = { defaultCountry: 'FR' };
    expect(found('06 12 34 56 78 / 0612345678 / 0612 345 678', french).map(([, text]) => text)).toEqual([
      '06 12 34 56 78',
      '0612345678',
    ]);
  });

  it('does not report the digits of a card, an IBAN or an id a second time as a phone number', () => {
    const text = 'card 4111 1111 1111 1111, BSN 123456782, iban NL91ABNA0417164300, ssn 212-55-5019';
    expect(found(text).map(([kind]) => kind)).toEqual(['card', 'national_id', 'iban', 'national_id']);
  });

  it('refuses an unknown default country', () => {
    expect(() => detectPii('call 555 0199', { defaultCountry: 'XX' })).toThrow(/not a country/);
  });
});

describe('detectPii: national ids', () => {
  it('finds the ids whose check digits or issuing rules hold', () => {
    expect(found('My SSN is 123-45-6789 (or 123 45 6789).')).toEqual([
      ['national_id', '123-45-6789', 'us_ssn'],
      ['national_id', '123 45 6789', 'us_ssn'],
    ]);
    expect(found('National Insurance number AB 12 34 56 C')).toEqual([['national_id', 'AB 12 34 56 C', 'uk_nino']]);
    expect(found('Mi DNI es 12345678Z y el NIE de mi mujer X1234567L.')).toEqual([
      ['national_id', '12345678Z', 'es_dni'],
      ['national_id', 'X1234567L', 'es_nie'],
    ]);
    const nir = 'Numéro de sécurité sociale : 1 85 05 78 006 084 91, et celui de ma fille 2 90 01 2A 123 456 62.';
    expect(found(nir)).toEqual([
      ['national_id', '1 85 05 78 006 084 91', 'fr_nir'],
      ['national_id', '2 90 01 2A 123 456 62', 'fr_nir'],
    ]);
    expect(found('Mijn BSN is 1112.22.333')).toEqual([['national_id', '1112.22.333', 'nl_bsn']]);
    expect(found('Meine Steueridentifikationsnummer ist 86 095 742 719.')).toEqual([
      ['national_id', '86 095 742 719', 'de_tax_id'],
    ]);
  });

  it('needs the keyword for bare nine-digit SSNs, BSNs and German tax ids', () => {
    expect(found('ssn: 123456789')).toEqual([['national_id', '123456789', 'us_ssn']]);
    expect(found('order 123456782 and parcel 86095742719')).toEqual([]);
  });

  it('rejects ids that break their rules', () => {
    expect(found('000-12-3456 666-12-3456 912-34-5678 123-00-4567 123-45-0000')).toEqual([]);
    expect(found('QQ 12 34 56 C, BG 12 34 56 A, AB 12 34 56 E, 12345678A, 1 85 05 78 006 084 36')).toEqual([]);
    expect(found('BSN 123456789, Steuer-ID 86095742718')).toEqual([]);
  });
});

describe('detectPii: addresses', () => {
  it('finds house number + street name + street word in five languages, with the postal code', () => {
    const address = (text: string) => found(text).map(([kind, match]) => `${kind}: ${match}`);
    expect(address('Ship to 221B Baker Street, London.')).toEqual(['address: 221B Baker Street']);
    expect(address('I moved to 1600 Pennsylvania Ave., Washington, DC 20500.')).toEqual([
      'address: 1600 Pennsylvania Ave., Washington, DC 20500',
    ]);
    expect(found('Meine Adresse: Hauptstraße 5, 10115 Berlin. Früher Berliner Str. 12a.')).toEqual([
      ['address', 'Hauptstraße 5, 10115 Berlin', undefined],
      ['address', 'Berliner Str. 12a', undefined],
    ]);
    expect(address('Mon adresse est 12 rue de la Paix, 75002 Paris.')).toEqual([
      'address: 12 rue de la Paix, 75002 Paris',
    ]);
    expect(address('Vivo en Calle Mayor 5, 28013 Madrid.')).toEqual(['address: Calle Mayor 5, 28013 Madrid']);
    expect(address('Mijn adres: Kalverstraat 92, 1012 PH Amsterdam.')).toEqual([
      'address: Kalverstraat 92, 1012 PH Amsterdam',
    ]);
  });

  it('prefers precision: no street word, lower-case names or everyday nouns are not addresses', () => {
    expect(found('I have 3 Street Fighter games, 2 apples and main street 5.')).toEqual([]);
    expect(found('Mein Arbeitsplatz 2 ist gut; auf dem Rückweg 2 Stunden; Seite 3.')).toEqual([]);
  });
});

describe('detectPii: the whole', () => {
  const ticket = [
    'Hello, I am Jane (jane@example.com, +44 20 7946 0958).',
    'You charged my card 4242 4242 4242 4242 twice for order ORD-12345 (1,249.99 EUR on 2024-03-15).',
    'Please refund to DE89 3704 0044 0532 0130 00. I live at 12 rue de la Paix, 75002 Paris.',
  ].join('\n');

  it('returns disjoint findings sorted by start whose text is the slice they cover', () => {
    const findings = detectPii(ticket);
    expect(findings.map((finding) => finding.kind)).toEqual(['email', 'phone', 'card', 'iban', 'address']);
    expectWellFormed(ticket, findings);
  });

  it('looks only for the kinds asked for', () => {
    expect(found(ticket, { kinds: ['iban', 'email'] }).map(([kind]) => kind)).toEqual(['email', 'iban']);
  });

  it('containsPii says whether there is anything to mask', () => {
    expect(containsPii(ticket)).toBe(true);
    expect(containsPii('Where is my order ORD-12345? It was 49.99 EUR on 2024-03-15.')).toBe(false);
    expect(containsPii('')).toBe(false);
  });
});

describe('detectPii on 100 kB of input', () => {
  const SIZE = 100_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

  it('finishes on a realistic text and finds every repetition', () => {
    const unit =
      'Card 4242 4242 4242 4242, mail a.b@example.com, call +33 6 12 34 56 78, IBAN DE89 3704 0044 0532 0130 00.\n';
    const text = unit.repeat(Math.floor(SIZE / unit.length));
    const findings = detectPii(text);
    expect(findings).toHaveLength(4 * Math.floor(SIZE / unit.length));
    expectWellFormed(text, findings);
  });

  it.each([
    ['digits and single spaces', '1 '],
    ['digits and dashes', '12-'],
    ['one long digit run', '1234567890'],
    ['at signs', '@'],
    ['address characters before an @', 'a.'],
    ['capitalized words after numbers', '12 Aa '],
    ['letters and digits like an IBAN start', 'AB12 '],
  ])('finishes on a pathological input: %s', (_name, unit) => {
    const text = fill(unit);
    expectWellFormed(text, detectPii(text));
  });
});
