import { describe, expect, it } from 'vitest';
import { formatMoney, money, type Money } from './money.js';
import { prorate } from './proration.js';
import { refundAmount, type RefundablePayment } from './refund.js';

const eur = (micros: bigint) => money(micros, 'EUR');
let seq = 0;
const charge = (amount: Money, at = '2026-11-02T09:12:31Z', id = `c${(seq += 1)}`): RefundablePayment => ({ id, kind: 'charge', amount, capturedAt: new Date(at) });
const refund = (amount: Money, at = '2026-11-05T10:00:00Z', id = `r${(seq += 1)}`): RefundablePayment => ({ id, kind: 'refund', amount, capturedAt: new Date(at) });
const price = eur(49_990_000n);
const show = (m: Money) => formatMoney(m);

describe('refundAmount', () => {
  it('given a double charge, when no amount is asked, then one charge is refunded', () => {
    const result = refundAmount({ total: price, payments: [charge(price, '2026-11-02T09:12:33Z', 'pay-b'), charge(price, '2026-11-02T09:12:31Z', 'pay-a')] });
    expect(result.reason).toBe('duplicate-charge');
    expect(show(result.amount)).toBe('49.99 EUR');
    expect(show(result.captured)).toBe('99.98 EUR');
    expect(show(result.refundable)).toBe('99.98 EUR');
    expect(result.duplicateCharge).toEqual({ chargeIds: ['pay-a', 'pay-b'], amount: price, outstanding: price });
  });

  it('given the duplicate was already refunded, then only the remaining balance is offered', () => {
    const result = refundAmount({ total: price, payments: [charge(price), charge(price), refund(price)] });
    expect(result.reason).toBe('remaining-balance');
    expect(show(result.amount)).toBe('49.99 EUR');
    expect(result.duplicateCharge?.outstanding).toEqual(eur(0n));
  });

  it('given three identical charges, then two are refunded', () => {
    const result = refundAmount({ total: price, payments: [charge(price), charge(price), charge(price)] });
    expect(result).toMatchObject({ reason: 'duplicate-charge', amount: eur(99_980_000n) });
  });

  it('given a split payment (2 × 25.00 for 50.00), then it is no duplicate', () => {
    const half = eur(25_000_000n);
    const result = refundAmount({ total: eur(50_000_000n), payments: [charge(half), charge(half)] });
    expect(result.duplicateCharge).toBeNull();
    expect(result).toMatchObject({ reason: 'remaining-balance', amount: eur(50_000_000n) });
  });

  it('never refunds more than captured minus refunded', () => {
    const total = eur(100_000_000n);
    const payments = [charge(total), refund(eur(25_000_000n))];
    expect(refundAmount({ total, payments }, eur(30_000_000n))).toMatchObject({ reason: 'requested', amount: eur(30_000_000n), capped: false });
    expect(refundAmount({ total, payments }, eur(100_000_000n))).toMatchObject({ reason: 'requested', amount: eur(75_000_000n), capped: true, refundable: eur(75_000_000n) });
    expect(refundAmount({ total, payments: [charge(total), refund(total)] })).toMatchObject({ reason: 'nothing-refundable', amount: eur(0n) });
    expect(refundAmount({ total, payments: [] }, eur(1n))).toMatchObject({ amount: eur(0n), capped: true });
  });

  it('refuses a non-positive request and mixed currencies', () => {
    const payments = [charge(price)];
    expect(() => refundAmount({ total: price, payments }, eur(0n))).toThrow(expect.objectContaining({ code: 'REFUND_INVALID_AMOUNT' }));
    expect(() => refundAmount({ total: price, payments }, money(1n, 'USD'))).toThrow(expect.objectContaining({ code: 'MONEY_CURRENCY_MISMATCH' }));
    expect(() => refundAmount({ total: price, payments: [charge(money(1n, 'USD'))] })).toThrow(expect.objectContaining({ code: 'MONEY_CURRENCY_MISMATCH' }));
  });
});

describe('prorate', () => {
  const monthly = { price: eur(29_990_000n), periodStart: '2026-11-01', periodEnd: '2026-12-01' };

  it('refunds the unused days; the day of cancellation counts as used', () => {
    expect(prorate(monthly, '2026-11-21')).toEqual({ refund: eur(9_000_000n), cancelDate: '2026-11-21', periodStart: '2026-11-01', periodEnd: '2026-12-01', totalDays: 30, usedDays: 21, unusedDays: 9 });
    // 29.99 × 29 / 30 = 28.990333… → 28.99
    expect(prorate(monthly, '2026-11-01')).toMatchObject({ usedDays: 1, unusedDays: 29, refund: eur(28_990_000n) });
    expect(prorate(monthly, '2026-11-30')).toMatchObject({ usedDays: 30, unusedDays: 0, refund: eur(0n) });
  });

  it('uses the UTC date of an instant', () => {
    expect(prorate(monthly, new Date('2026-11-21T23:59:59.999Z')).cancelDate).toBe('2026-11-21');
    expect(prorate(monthly, '2026-11-21T23:30:00-02:00').cancelDate).toBe('2026-11-22');
  });

  it('refunds everything before the period and nothing after it', () => {
    expect(prorate(monthly, '2026-10-15')).toMatchObject({ usedDays: 0, unusedDays: 30, refund: eur(29_990_000n) });
    expect(prorate(monthly, '2026-12-01')).toMatchObject({ unusedDays: 0, refund: eur(0n) });
  });

  it('counts real calendar days: 31-day months, leap years, years', () => {
    expect(prorate({ ...monthly, periodStart: '2027-01-01', periodEnd: '2027-02-01' }, '2027-01-16')).toMatchObject({ totalDays: 31, unusedDays: 15 });
    expect(prorate({ ...monthly, periodStart: '2028-02-01', periodEnd: '2028-03-01' }, '2028-02-28')).toMatchObject({ totalDays: 29, unusedDays: 1 });
    const annual = { price: money(120_000_000n, 'GBP'), periodStart: '2026-06-01', periodEnd: '2027-06-01' };
    // June–October 153 days + 21 used of 365: 120 × 191 / 365 = 62.7945… → 62.79
    expect(prorate(annual, '2026-11-21')).toMatchObject({ totalDays: 365, usedDays: 174, unusedDays: 191, refund: money(62_790_000n, 'GBP') });
  });

  it('rounds half-even by default, other modes on request', () => {
    // 10.00 × 1 / 8 = 1.25 exactly; 0.05 × 1 / 2 = 0.025 → a tie at cent level
    const tie = { price: eur(50_000n), periodStart: '2026-11-01', periodEnd: '2026-11-03' };
    expect(prorate(tie, '2026-11-01').refund).toEqual(eur(20_000n));
    expect(prorate(tie, '2026-11-01', { rounding: 'half-up' }).refund).toEqual(eur(30_000n));
    expect(prorate({ ...tie, price: money(3_000_000n, 'JPY') }, '2026-11-01', { rounding: 'down' }).refund).toEqual(money(1_000_000n, 'JPY'));
  });

  it('refuses impossible dates and empty periods', () => {
    expect(() => prorate(monthly, '2026-02-30')).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
    expect(() => prorate(monthly, 'tomorrow')).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
    expect(() => prorate(monthly, new Date(Number.NaN))).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
    expect(() => prorate({ ...monthly, periodEnd: '2026-11-01' }, '2026-11-01')).toThrow(expect.objectContaining({ code: 'INVALID_PERIOD' }));
  });
});
