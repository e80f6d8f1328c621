import { describe, expect, it } from 'vitest';
import { englishTerms } from './glossary.js';

describe('support glossary', () => {
  it('translates support words of German, French and Spanish to English, accents and case aside', () => {
    expect(englishTerms('Ich habe mein Passwort vergessen')).toEqual(expect.arrayContaining(['password', 'forgot']));
    expect(englishTerms('Où est mon COLIS ? La livraison est en retard')).toEqual(expect.arrayContaining(['parcel', 'delivery', 'late']));
    expect(englishTerms('No puedo iniciar sesión, mi cuenta está bloqueada')).toEqual(expect.arrayContaining(['sign', 'account', 'locked']));
    expect(englishTerms('mise à jour')).toContain('update');
  });

  it('leaves English alone: prefixes that begin English words only match the whole word', () => {
    expect(englishTerms('I passed the parcel about the record above')).toEqual([]);
    expect(englishTerms('my personal data')).not.toContain('human');
    expect(englishTerms('Mon abo est trop cher')).toContain('subscription');
  });
});
