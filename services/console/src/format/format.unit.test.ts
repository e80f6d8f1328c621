import { describe, expect, it } from 'vitest';
import { formatMoney, microsOf, microsToDecimal } from './money.js';
import { formatDateTime, formatDuration, formatTimeLeft, msUntil } from './time.js';

describe('money from micros', () => {
  it('splits micros into an exact decimal, with no floating point on the way', () => {
    expect(microsToDecimal(49_990_000n)).toBe('49.99');
    expect(microsToDecimal(-1_250_000n)).toBe('-1.25');
    expect(microsToDecimal(5n)).toBe('0.000005');
    expect(microsToDecimal(0n)).toBe('0');
    expect(microsToDecimal(100_000_000n)).toBe('100');
    // Past 2^53 a double would round; the decimal string does not.
    expect(microsToDecimal(9_007_199_254_740_993_123n)).toBe('9007199254740.993123');
  });

  it('takes the long as a safe-integer number or a digit string, and refuses anything inexact', () => {
    expect(microsOf(49_990_000)).toBe(49_990_000n);
    expect(microsOf('12345678901234567890')).toBe(12_345_678_901_234_567_890n);
    expect(microsOf(0.5)).toBeUndefined();
    expect(microsOf(2 ** 60)).toBeUndefined();
    expect(microsOf('49.99')).toBeUndefined();
    expect(microsOf('1e6')).toBeUndefined();
  });

  it("formats in the viewer's locale with the currency's decimals", () => {
    expect(formatMoney({ amountMicros: 49_990_000, currency: 'EUR' }, 'en-US')).toBe('€49.99');
    expect(formatMoney({ amountMicros: '49990000', currency: 'EUR' }, 'de-DE')).toBe('49,99\u00a0€');
    // The space before € differs between ICU versions (U+00A0 or U+202F).
    expect(formatMoney({ amountMicros: 49_990_000, currency: 'EUR' }, 'fr-FR')).toMatch(/^49,99[\u00a0\u202f]€$/);
    expect(formatMoney({ amountMicros: 1_000_000_000, currency: 'JPY' }, 'ja-JP')).toBe('￥1,000');
    expect(formatMoney({ amountMicros: 12_500_000, currency: 'USD' }, 'en-US')).toBe('$12.50');
    expect(formatMoney({ amountMicros: -1_250_000, currency: 'USD' }, 'en-US')).toBe('-$1.25');
  });

  it('never rounds: an amount finer than the currency shows all its digits', () => {
    expect(formatMoney({ amountMicros: 49_995_000, currency: 'EUR' }, 'en-US')).toBe('€49.995');
    expect(formatMoney({ amountMicros: 5, currency: 'USD' }, 'en-US')).toBe('$0.000005');
    expect(formatMoney({ amountMicros: 1_500_000, currency: 'JPY' }, 'en-US')).toBe('¥1.5');
    expect(formatMoney({ amountMicros: '123456789012345678901', currency: 'EUR' }, 'en-US')).toBe('€123,456,789,012,345.678901');
  });

  it('says so when the currency is unknown or the amount is not exact', () => {
    expect(formatMoney({ amountMicros: 2_500_000, currency: 'XYZ1' }, 'en-US')).toBe('2.5 XYZ1');
    expect(formatMoney({ amountMicros: 0.5, currency: 'EUR' }, 'en-US')).toBe('invalid amount (0.5 micros EUR)');
  });
});

describe('time', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('counts down in the two largest units, seconds only in the last hour', () => {
    expect(formatDuration(((2 * 24 + 3) * 3600 + 125) * 1000, 'en-US')).toBe('2 days 3 hr');
    expect(formatDuration((3 * 3600 + 7 * 60 + 9) * 1000, 'en-US')).toBe('3 hr 7 min');
    expect(formatDuration((4 * 60 + 5) * 1000, 'en-US')).toBe('4 min 5 sec');
    expect(formatDuration(42_900, 'en-US')).toBe('42 sec');
    expect(formatDuration((4 * 60 + 5) * 1000, 'de-DE')).toBe('4 Min., 5 Sek.');
    expect(formatDuration(-5_000, 'en-US')).toBe('0 sec');
  });

  it('tells the time left of an approval: urgent under five minutes, then expired', () => {
    expect(formatTimeLeft('2026-03-01T13:00:00Z', now, 'en-US')).toEqual({ text: '1 hr', expired: false, urgent: false });
    expect(formatTimeLeft('2026-03-01T12:04:00Z', now, 'en-US')).toEqual({ text: '4 min 0 sec', expired: false, urgent: true });
    expect(formatTimeLeft('2026-03-01T11:59:59Z', now, 'en-US')).toEqual({ text: 'expired', expired: true, urgent: true });
    expect(formatTimeLeft(null, now, 'en-US')).toEqual({ text: 'no deadline', expired: false, urgent: false });
    expect(msUntil('not a time', now)).toBeUndefined();
  });

  it('shows dates in the locale and time zone', () => {
    expect(formatDateTime('2026-03-01T12:00:00Z', 'en-US', 'Europe/Berlin')).toBe('Mar 1, 2026, 1:00:00 PM');
    expect(formatDateTime('2026-03-01T12:00:00Z', 'de-DE', 'Europe/Berlin')).toBe('01.03.2026, 13:00:00');
    expect(formatDateTime(null, 'en-US')).toBe('—');
  });
});
