import { describe, expect, it } from 'vitest';
import { extractMoney, extractOrderId, parseAmountMicros } from './extract.js';
import { detectLanguage } from './language.js';
import { triage } from './triage.js';

describe('money extraction', () => {
  it.each([
    ['49.99', 49_990_000],
    ['49,99', 49_990_000],
    ['120', 120_000_000],
    ['0.5', 500_000],
    ['1,234.56', 1_234_560_000],
    ['1.234,56', 1_234_560_000],
    ['1.234', 1_234_000_000],
  ])('parses %s exactly into micros', (text, micros) => {
    expect(parseAmountMicros(text)).toBe(micros);
  });

  it.each([
    ['my refund of €49.99 please', { amountMicros: 49_990_000, currency: 'EUR' }],
    ['Erstattung von 49,99 EUR', { amountMicros: 49_990_000, currency: 'EUR' }],
    ['I paid $120 for it', { amountMicros: 120_000_000, currency: 'USD' }],
    ['it cost 15€', { amountMicros: 15_000_000, currency: 'EUR' }],
    ['EUR 1.299,00 total', { amountMicros: 1_299_000_000, currency: 'EUR' }],
    ['£7.5 shipping', { amountMicros: 7_500_000, currency: 'GBP' }],
    ['refund 30 dollars', { amountMicros: 30_000_000, currency: 'USD' }],
  ])('finds the amount in %j', (text, money) => {
    expect(extractMoney(text)).toEqual([money]);
  });

  it('finds nothing in text without a currency', () => {
    expect(extractMoney('order 1001 arrived after 12 days')).toEqual([]);
  });
});

describe('order id extraction', () => {
  it.each([
    ['about order #1001, please', '1001'],
    ['order 1001 never arrived', '1001'],
    ['Bestellung Nr. 1001 ist nicht da', '1001'],
    ['my order number: a-2002', 'A-2002'],
    ['my order was late, order 3003 again', '3003'],
    ['see ticket #4004', '4004'],
  ])('reads %j', (text, id) => {
    expect(extractOrderId(text)).toBe(id);
  });

  it('returns null when no order number is given', () => {
    expect(extractOrderId('my order was late and nobody answers')).toBeNull();
  });
});

describe('language detection', () => {
  it.each([
    ['Where is my package? It was supposed to arrive on Monday.', 'en'],
    ['Wo ist mein Paket? Es sollte am Montag ankommen.', 'de'],
    ["Où est mon colis ? Je l'attends depuis une semaine.", 'fr'],
    ['¿Dónde está mi paquete? No ha llegado todavía.', 'es'],
  ])('%j is %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it('falls back to en without evidence', () => {
    expect(detectLanguage('1001 ???')).toBe('en');
  });
});

describe('money the way the policy reads it', () => {
  it('reads space-grouped thousands and legal threats that ask money back', () => {
    expect(extractMoney('Je demande le remboursement de 1 299,00 € immédiatement')).toEqual([{ amountMicros: 1_299_000_000, currency: 'EUR' }]);
    const threat = triage({ message: "If I don't get my $640 back by Monday, my lawyer will be filing in small claims court.", subject: null, customerTier: 'STANDARD', history: [] });
    expect(threat.category).toBe('legal');
    expect(threat.refundAmount).toEqual({ amountMicros: 640_000_000, currency: 'USD' });
  });
});
