import type { ProposedAction } from '@supportstream/domain';
import { describe, expect, it } from 'vitest';
import { amountIn, checkPromises, findPromises, promiseIssues } from './promises.js';

const refund = (amountMicros: number, currency = 'EUR'): ProposedAction => ({ kind: 'refund', description: 'refund', amount: { amountMicros, currency }, parameters: {} });
const closure: ProposedAction = { kind: 'account_closure', description: 'close', amount: null, parameters: {} };

describe('promises of actions', () => {
  it.each([
    ['en', 'I have refunded the duplicate charge.', 'refund'],
    ['en', "We've already refunded your order.", 'refund'],
    ['en', 'We will refund you $80.', 'refund'],
    ['en', "We'll issue a full refund today.", 'refund'],
    ['en', 'Your refund of 49.99 EUR has been processed.', 'refund'],
    ['en', 'You will receive a refund within 5 days.', 'refund'],
    ['en', 'Your account has been closed.', 'account_closure'],
    ['en', 'We have deleted your account as requested.', 'account_closure'],
    ['en', "We've applied a goodwill credit to your account.", 'credit'],
    ['en', '49.99 EUR has been credited to your card.', 'credit'],
    ['de', 'Wir haben Ihnen 49,99 € erstattet.', 'refund'],
    ['de', 'Wir werden Ihnen den Betrag erstatten.', 'refund'],
    ['de', 'Ihre Erstattung wurde soeben veranlasst.', 'refund'],
    ['de', 'Der Betrag wurde Ihrem Konto gutgeschrieben.', 'credit'],
    ['de', 'Ihr Konto wurde geschlossen.', 'account_closure'],
    ['fr', 'Nous avons remboursé votre commande.', 'refund'],
    ['fr', 'Nous vous rembourserons 20 € demain.', 'refund'],
    ['fr', 'Votre remboursement a été effectué.', 'refund'],
    ['fr', 'Votre compte a été clôturé.', 'account_closure'],
    ['es', 'Hemos reembolsado el importe.', 'refund'],
    ['es', 'Le reembolsaremos 30 euros.', 'refund'],
    ['es', 'Su reembolso ha sido procesado.', 'refund'],
    ['es', 'Su cuenta ha sido cerrada.', 'account_closure'],
  ])('finds the promise in %s: %s', (_language, reply, kind) => {
    expect(findPromises(reply).map((promise) => promise.kind)).toEqual([kind]);
  });

  it.each([
    'We can look into a refund for you.',
    'You may be eligible for a refund under our policy.',
    'A colleague will check whether a refund is possible.',
    'Refunds are issued within 5 days of receiving the return.',
    'We have not refunded the order yet.',
    "We won't close your account without your confirmation.",
    'Shall we refund the order to your card?',
    'Would you like us to close your account?',
    'Wir können eine Erstattung prüfen.',
    'Wir haben Ihnen den Betrag noch nicht erstattet.',
    'Nous pouvons examiner un remboursement.',
    "Nous n'avons pas encore remboursé la commande.",
    'Podemos revisar un reembolso.',
    'No le hemos reembolsado todavía.',
    'Hemos devuelto su paquete al almacén.',
    'Your order 1001 was delivered on 2026-10-23; refundable 129.00 EUR.',
  ])('finds no promise in: %s', (reply) => {
    expect(findPromises(reply)).toEqual([]);
  });

  it('reads the amount a promise names, in the usual ways of writing it', () => {
    expect(amountIn('We will refund you $80.')).toEqual({ amountMicros: 80_000_000n, currency: 'USD' });
    expect(amountIn('Wir haben Ihnen 1.249,99 € erstattet.')).toEqual({ amountMicros: 1_249_990_000n, currency: 'EUR' });
    expect(amountIn('Your refund of 49.99 EUR has been processed.')).toEqual({ amountMicros: 49_990_000n, currency: 'EUR' });
    expect(amountIn('Le reembolsaremos 30 euros.')).toEqual({ amountMicros: 30_000_000n, currency: 'EUR' });
    expect(amountIn('We will refund all 20 items.')).toBeNull();
    // "1,234" could be either: no exact amount, so only the kind is compared.
    expect(amountIn('We will refund €1,234.')).toBeNull();
  });
});

describe('promise check', () => {
  it('given a promise of the proposed refund with its amount, then it passes', () => {
    expect(checkPromises('We will refund you 49.99 EUR for the duplicate charge.', { actions: [refund(49_990_000)] }).ok).toBe(true);
    expect(checkPromises('Wir haben Ihnen 49,99 € erstattet.', { actions: [refund(49_990_000)] }).ok).toBe(true);
    expect(checkPromises('Your account has been closed.', { actions: [closure] }).ok).toBe(true);
    // Two proposed refunds, promised as one sum.
    expect(checkPromises('We will refund you 79.98 EUR in total.', { actions: [refund(49_990_000), refund(29_990_000)] }).ok).toBe(true);
  });

  it('given a promise of a refund nobody proposed, then it fails as not proposed', () => {
    const check = checkPromises('Good news: we have refunded your order.', { actions: [] });
    expect(check.ok).toBe(false);
    expect(check.violations.map((violation) => violation.reason)).toEqual(['not_proposed']);
    expect(promiseIssues(check.violations)).toEqual(['unapproved_promise: the reply promises a refund that is not among the proposed actions ("Good news: we have refunded your order.")']);
  });

  it('given a promise of another amount than the proposed one, then it fails as differing', () => {
    const check = checkPromises('We will refund you $4,800 today.', { actions: [refund(48_000_000, 'USD')] });
    expect(check.violations.map((violation) => violation.reason)).toEqual(['amount_differs']);
    expect(checkPromises('We will refund you 48.00 EUR.', { actions: [refund(48_000_000, 'USD')] }).ok).toBe(false);
  });

  it('given a closure promised where only a refund is proposed, then it fails', () => {
    expect(checkPromises('We will refund the order and your account has been closed.', { actions: [refund(10_000_000)] }).violations.map((v) => [v.promise.kind, v.reason])).toEqual([
      ['account_closure', 'not_proposed'],
    ]);
  });

  it('given a refused or expired approval, then no promise is approved', () => {
    for (const decision of ['REJECTED', 'EXPIRED'] as const) {
      const check = checkPromises('We will refund you 49.99 EUR.', { actions: [refund(49_990_000)], approval: { decision } });
      expect(check.violations.map((violation) => violation.reason)).toEqual(['not_approved']);
    }
    expect(checkPromises('We will refund you 49.99 EUR.', { actions: [refund(49_990_000)], approval: { decision: 'APPROVED' } }).ok).toBe(true);
  });

  it('given a reply without promises, then it passes whatever is proposed', () => {
    expect(checkPromises('We can look into a refund once the parcel is back.', { actions: [] })).toEqual({ ok: true, promises: [], violations: [] });
  });
});
