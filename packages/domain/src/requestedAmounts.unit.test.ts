import { describe, expect, it } from 'vitest';
import { asksForMoney, formatMoney, moneyAmounts, parseAmountMicros, requestedAmounts } from './requestedAmounts.js';

const money = (amountMicros: number, currency: string) => ({ amountMicros, currency });

describe('parseAmountMicros', () => {
  it.each([
    ['4,800', 4_800_000_000],
    ['4.800,50', 4_800_500_000],
    ['1,249.99', 1_249_990_000],
    ['1.249', 1_249_000_000],
    ['1,249', 1_249_000_000],
    ['1 200', 1_200_000_000],
    ['1\u202f200,00', 1_200_000_000],
    ["1'200.50", 1_200_500_000],
    ['49,9', 49_900_000],
    ['0.05', 50_000],
    ['1.000.000', 1_000_000_000_000],
  ])('reads %j exactly', (text, micros) => {
    expect(parseAmountMicros(text)).toBe(micros);
  });

  it.each([['1,249.999'], ['1.000.50'], ['1.249 999'], ['']])('refuses %j (mixed or repeated separators)', (text) => {
    expect(parseAmountMicros(text)).toBeUndefined();
  });

  it('refuses amounts that a number cannot hold exactly', () => {
    expect(parseAmountMicros('9999999999999')).toBeUndefined();
  });
});

describe('moneyAmounts', () => {
  it.each([
    ['I want my $4,800 back', money(4_800_000_000, 'USD')],
    ['Bitte 4.800,50 € zurück', money(4_800_500_000, 'EUR')],
    ['EUR 1 200 für das Sofa', money(1_200_000_000, 'EUR')],
    ['remboursement de 1200 euros', money(1_200_000_000, 'EUR')],
    ['you took £300', money(300_000_000, 'GBP')],
    ['a refund of 300 GBP', money(300_000_000, 'GBP')],
    ['Erstattung von €1.249,99', money(1_249_990_000, 'EUR')],
    ['CHF 90 for shipping', money(90_000_000, 'CHF')],
    ['1.249 € laut Rechnung', money(1_249_000_000, 'EUR')],
    ['reembolso de 300 dólares', money(300_000_000, 'USD')],
    ['20 Pfund zu viel', money(20_000_000, 'GBP')],
    ['US$ 75 charged', money(75_000_000, 'USD')],
    ['C$50 please', money(50_000_000, 'CAD')],
    ['¥3000 returned', money(3_000_000_000, 'JPY')],
    ['49,99€', money(49_990_000, 'EUR')],
    ['30EUR', money(30_000_000, 'EUR')],
    ['$4.8k total', money(4_800_000_000, 'USD')],
    ['5k € Schaden', money(5_000_000_000, 'EUR')],
    ['2 Mio. € Schaden', money(2_000_000_000_000, 'EUR')],
    ['5 mil euros', money(5_000_000_000, 'EUR')],
  ])('reads %j', (text, expected) => {
    expect(moneyAmounts(text)).toEqual([expected]);
  });

  it('finds every amount, in order', () => {
    expect(moneyAmounts('charged $19.99 on the 3rd and again $19.99, then €5')).toEqual([money(19_990_000, 'USD'), money(19_990_000, 'USD'), money(5_000_000, 'EUR')]);
  });

  it.each([
    ['an order number', 'order #4800 and order 4800 never arrived'],
    ['a German order number', 'Bestellung Nr. 1001, Auftrag 4800'],
    ['dates', 'ordered on 12.03.2026, delivered 2026-03-19, expiry 12/29'],
    ['phone numbers', 'call me on +49 30 1234567 or +1 (555) 010-0199'],
    ['a card number', 'my card 4242 4242 4242 4242 was used'],
    ['percentages', 'a 15 % discount, 20% off, €20%'],
    ['a tracking number', 'tracking 1Z999AA10123456784'],
    ['a number without a currency', 'please refund 54.90 for the mugs'],
    ['a currency code inside a word', 'NEUR 300 and Europe 300'],
    ['digits run into an amount', 'order 1001 200 €'],
  ])('finds no money in %s', (_name, text) => {
    expect(moneyAmounts(text)).toEqual([]);
  });

  it('reads only the price next to an order number or a card number', () => {
    expect(moneyAmounts('order 4800 $20')).toEqual([money(20_000_000, 'USD')]);
    expect(moneyAmounts('card 4242 4242 4242 4242 charged $19.99')).toEqual([money(19_990_000, 'USD')]);
    expect(moneyAmounts('Bestellung 1001 für 49,99 €')).toEqual([money(49_990_000, 'EUR')]);
  });
});

describe('asksForMoney and requestedAmounts', () => {
  it.each([
    ['en', 'Please refund 1,249.99 USD for the laptop.'],
    ['en, "back"', 'I was promised $80 back after the technician never came.'],
    ['en, "like it back"', 'If any of the £15 was taken, I would like it back.'],
    ['en, awaited', 'The $89 are still not on my statement.'],
    ['de', 'Ich möchte eine Rückerstattung von 89,95 €.'],
    ['de, "zurück"', 'Ich will meine 300 € zurück.'],
    ['de, zurückgezahlt', 'Wenn die 650 € nicht bis Freitag zurückgezahlt werden, gehe ich zum Anwalt.'],
    ['fr', 'Je veux être remboursé de 450 €.'],
    ['es', 'Quiero un reembolso de 500 €.'],
    ['es, devolución', 'Solicito la devolución de 120 euros.'],
  ])('reads a request for money (%s)', (_name, text) => {
    expect(asksForMoney(text)).toBe(true);
    expect(requestedAmounts(text)).toEqual(moneyAmounts(text));
    expect(requestedAmounts(text).length).toBe(1);
  });

  it.each([
    ['a price only mentioned', 'I paid $300 for this speaker. How do I pair it?'],
    ['a price increase', 'Why did my plan go from $9.99 to $12.99?'],
    ['a charge asked about', 'My card was charged $19.99 twice, which one is real?'],
    ['a German price', 'Das Sofa hat 1.249 € gekostet und ist wunderschön.'],
  ])('returns no amount for %s', (_name, text) => {
    expect(moneyAmounts(text).length).toBeGreaterThan(0);
    expect(requestedAmounts(text)).toEqual([]);
  });

  it('counts every amount of a text that asks, so the larger one reaches a human', () => {
    expect(requestedAmounts('The sofa cost £450; please refund the £12 delivery fee.')).toEqual([money(450_000_000, 'GBP'), money(12_000_000, 'GBP')]);
  });
});

describe('formatMoney', () => {
  it.each([
    [money(4_800_000_000, 'USD'), '4800.00 USD'],
    [money(1_249_990_000, 'EUR'), '1249.99 EUR'],
    [money(50_000, 'GBP'), '0.05 GBP'],
  ])('writes %j as %s', (amount, text) => {
    expect(formatMoney(amount)).toBe(text);
  });
});
