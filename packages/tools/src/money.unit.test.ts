import { InvalidInputError } from '@supportstream/errors';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../test/seededRandom.js';
import { currencyExponent, minorUnitMicros } from './currencies.js';
import {
  addMoney,
  allocateMoney,
  compareMoney,
  formatAmount,
  formatMoney,
  money,
  moneyFromJson,
  moneyToJson,
  multiplyMoney,
  parseMoney,
  percentOf,
  roundMoney,
  splitMoney,
  subtractMoney,
  sumMoney,
  type Money,
} from './money.js';
import { divideRounded, ROUNDING_MODES, type RoundingMode } from './rounding.js';

const eur = (micros: bigint) => money(micros, 'EUR');
const amounts = (list: readonly Money[]) => list.map((m) => formatAmount(m));
const INT64_MAX = 2n ** 63n - 1n;

describe('parseMoney', () => {
  it.each([
    ['49.99', 49_990_000n],
    ['49,99', 49_990_000n],
    ['0.5', 500_000n],
    ['7', 7_000_000n],
    ['-3.50', -3_500_000n],
    ['+3.5', 3_500_000n],
    ['1,234.56', 1_234_560_000n],
    ['1.234,56', 1_234_560_000n],
    ['1 234,56', 1_234_560_000n],
    ['1\u00A0234,56', 1_234_560_000n],
    ["1'234.56", 1_234_560_000n],
    ['1.234.567', 1_234_567_000_000n],
    ['1,234,567.89', 1_234_567_890_000n],
    ['49.990', 49_990_000n],
    ['  49.99 EUR ', 49_990_000n],
    ['EUR 49.99', 49_990_000n],
    ['49.99eur', 49_990_000n],
    ['EUR -49.99', -49_990_000n],
  ])('reads %j as EUR', (text, micros) => {
    expect(parseMoney(text, 'EUR')).toEqual(eur(micros));
  });

  it('knows each currency’s minor unit', () => {
    expect(parseMoney('1500', 'JPY')).toEqual(money(1_500_000_000n, 'JPY'));
    expect(parseMoney('1.500', 'KWD')).toEqual(money(1_500_000n, 'KWD'));
    // A lone separator before three digits is ambiguous (1.5 or 1500?): refused, never guessed.
    expect(() => parseMoney('1,500', 'JPY')).toThrow(expect.objectContaining({ code: 'MONEY_PRECISION' }));
    expect(parseMoney('1,500.00', 'USD')).toEqual(money(1_500_000_000n, 'USD'));
  });

  it('refuses more decimals than the currency has, unless micros are asked for', () => {
    expect(() => parseMoney('49.999', 'EUR')).toThrow(expect.objectContaining({ code: 'MONEY_PRECISION' }));
    expect(() => parseMoney('1.5', 'JPY')).toThrow(expect.objectContaining({ code: 'MONEY_PRECISION' }));
    expect(parseMoney('1.234', 'KWD')).toEqual(money(1_234_000n, 'KWD'));
    expect(parseMoney('0.000123', 'USD', { precision: 'micros' })).toEqual(money(123n, 'USD'));
    expect(() => parseMoney('0.0000001', 'USD', { precision: 'micros' })).toThrow(expect.objectContaining({ code: 'MONEY_PRECISION' }));
    // "1,234" in EUR: a decimal comma with three decimals, not a thousands separator; the message says how to fix it.
    expect(() => parseMoney('1,234', 'EUR')).toThrow(/write the amount without it/);
  });

  it.each(['', 'abc', '49.99.99', '1,2,3.4', '12,34,567', '1 234.567,8', '4 9', '.5', '5.', '--5', '1e5', 'NaN', '49.99 USDX', '9'.repeat(65)])('refuses %j', (text) => {
    expect(() => parseMoney(text, 'EUR')).toThrow(InvalidInputError);
  });

  it('refuses a different currency code in the text', () => {
    expect(() => parseMoney('49.99 USD', 'EUR')).toThrow(expect.objectContaining({ code: 'MONEY_CURRENCY_MISMATCH' }));
  });

  it('refuses amounts beyond 64 bits', () => {
    expect(() => parseMoney('9223372036854.775808', 'USD', { precision: 'micros' })).toThrow(expect.objectContaining({ code: 'MONEY_OVERFLOW' }));
    expect(parseMoney('9223372036854.775807', 'USD', { precision: 'micros' }).amountMicros).toBe(INT64_MAX);
  });
});

describe('formatting', () => {
  it('shows the currency’s decimals, and more only when the micros need them', () => {
    expect(formatMoney(eur(49_990_000n))).toBe('49.99 EUR');
    expect(formatAmount(eur(-500_000n))).toBe('-0.50');
    expect(formatAmount(eur(0n))).toBe('0.00');
    expect(formatAmount(money(123n, 'USD'))).toBe('0.000123');
    expect(formatMoney(money(1_500_000_000n, 'JPY'))).toBe('1500 JPY');
    expect(formatMoney(money(1_234_000n, 'KWD'))).toBe('1.234 KWD');
    expect(formatAmount(money(INT64_MAX, 'EUR'))).toBe('9223372036854.775807');
  });

  it('round-trips through JSON as a string of micros', () => {
    const value = money(INT64_MAX, 'EUR');
    expect(JSON.parse(JSON.stringify(moneyToJson(value)))).toEqual({ amountMicros: '9223372036854775807', currency: 'EUR' });
    expect(moneyFromJson(moneyToJson(value))).toEqual(value);
    expect(moneyFromJson({ amountMicros: 49_990_000, currency: 'eur' })).toEqual(eur(49_990_000n));
    expect(() => moneyFromJson({ amountMicros: '1.5', currency: 'EUR' })).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_AMOUNT' }));
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, multiplies exactly (0.1 + 0.2 is 0.3)', () => {
    expect(addMoney(parseMoney('0.10', 'EUR'), parseMoney('0.20', 'EUR'))).toEqual(parseMoney('0.30', 'EUR'));
    expect(subtractMoney(eur(49_990_000n), eur(50_000_000n))).toEqual(eur(-10_000n));
    expect(multiplyMoney(eur(39_500_000n), 2)).toEqual(eur(79_000_000n));
    expect(sumMoney([eur(1n), eur(2n)], 'EUR')).toEqual(eur(3n));
    expect(sumMoney([], 'GBP')).toEqual(money(0n, 'GBP'));
  });

  it('refuses mixing currencies', () => {
    expect(() => addMoney(eur(1n), money(1n, 'USD'))).toThrow(expect.objectContaining({ code: 'MONEY_CURRENCY_MISMATCH', retriable: false }));
    expect(() => compareMoney(eur(1n), money(1n, 'USD'))).toThrow(expect.objectContaining({ code: 'MONEY_CURRENCY_MISMATCH' }));
    expect(() => sumMoney([money(1n, 'USD')], 'EUR')).toThrow(expect.objectContaining({ code: 'MONEY_CURRENCY_MISMATCH' }));
  });

  it('refuses overflow and fractional micros instead of rounding silently', () => {
    expect(() => addMoney(eur(INT64_MAX), eur(1n))).toThrow(expect.objectContaining({ code: 'MONEY_OVERFLOW' }));
    expect(() => multiplyMoney(eur(INT64_MAX / 2n + 1n), 2)).toThrow(expect.objectContaining({ code: 'MONEY_OVERFLOW' }));
    expect(() => multiplyMoney(eur(1n), 1.5)).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_ARGUMENT' }));
    expect(() => money(0.5, 'EUR')).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_AMOUNT' }));
    expect(() => money(1n, 'EURO')).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_CURRENCY' }));
  });

  it('splits without losing a cent', () => {
    expect(amounts(splitMoney(eur(10_000_000n), 3))).toEqual(['3.34', '3.33', '3.33']);
    expect(amounts(splitMoney(eur(-10_000_000n), 3))).toEqual(['-3.34', '-3.33', '-3.33']);
    expect(amounts(allocateMoney(eur(100_000_000n), [70, 20, 10]))).toEqual(['70.00', '20.00', '10.00']);
    expect(amounts(allocateMoney(eur(50_000n), [1, 1, 1]))).toEqual(['0.02', '0.02', '0.01']);
    expect(amounts(allocateMoney(eur(10_000_000n), [0, 1, 2]))).toEqual(['0.00', '3.33', '6.67']);
    // Not whole cents (e.g. token costs): shares are micros.
    expect(allocateMoney(money(10n, 'USD'), [1, 1, 1]).map((m) => m.amountMicros)).toEqual([4n, 3n, 3n]);
    expect(() => allocateMoney(eur(1n), [])).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_ARGUMENT' }));
    expect(() => allocateMoney(eur(1n), [0, 0])).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_ARGUMENT' }));
    expect(() => allocateMoney(eur(1n), [0.3, 0.7])).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_ARGUMENT' }));
    expect(() => splitMoney(eur(1n), 0)).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_ARGUMENT' }));
  });

  it('takes percentages with an explicit rounding mode, half-even by default', () => {
    expect(formatMoney(percentOf(eur(49_990_000n), '10'))).toBe('5.00 EUR'); // 4.999 → 5.00
    expect(formatMoney(percentOf(eur(10_050_000n), 50))).toBe('5.02 EUR'); // 5.025 → 5.02 (even)
    expect(formatMoney(percentOf(eur(10_050_000n), 50, { rounding: 'half-up' }))).toBe('5.03 EUR');
    expect(formatMoney(percentOf(eur(10_050_000n), '50%', { rounding: 'down' }))).toBe('5.02 EUR');
    expect(formatMoney(percentOf(eur(10_000_000n), '12.5'))).toBe('1.25 EUR');
    expect(formatMoney(percentOf(eur(10_000_000n), 0.1))).toBe('0.01 EUR');
    expect(percentOf(eur(10_050_000n), 50, { to: 'micro' })).toEqual(eur(5_025_000n));
    expect(formatMoney(percentOf(money(999_000_000n, 'JPY'), 15))).toBe('150 JPY'); // 149.85 → 150
    expect(() => percentOf(eur(1n), '1e2')).toThrow(expect.objectContaining({ code: 'MONEY_INVALID_ARGUMENT' }));
    expect(formatMoney(roundMoney(eur(5_025_000n)))).toBe('5.02 EUR');
    expect(formatMoney(roundMoney(eur(5_035_000n)))).toBe('5.04 EUR');
  });
});

describe('divideRounded', () => {
  // java.math.RoundingMode's table: value ×10, one column per mode.
  const table: [number, Record<RoundingMode, number>][] = [
    [55, { up: 6, down: 5, ceiling: 6, floor: 5, 'half-up': 6, 'half-down': 5, 'half-even': 6 }],
    [25, { up: 3, down: 2, ceiling: 3, floor: 2, 'half-up': 3, 'half-down': 2, 'half-even': 2 }],
    [16, { up: 2, down: 1, ceiling: 2, floor: 1, 'half-up': 2, 'half-down': 2, 'half-even': 2 }],
    [11, { up: 2, down: 1, ceiling: 2, floor: 1, 'half-up': 1, 'half-down': 1, 'half-even': 1 }],
    [10, { up: 1, down: 1, ceiling: 1, floor: 1, 'half-up': 1, 'half-down': 1, 'half-even': 1 }],
    [-10, { up: -1, down: -1, ceiling: -1, floor: -1, 'half-up': -1, 'half-down': -1, 'half-even': -1 }],
    [-11, { up: -2, down: -1, ceiling: -1, floor: -2, 'half-up': -1, 'half-down': -1, 'half-even': -1 }],
    [-16, { up: -2, down: -1, ceiling: -1, floor: -2, 'half-up': -2, 'half-down': -2, 'half-even': -2 }],
    [-25, { up: -3, down: -2, ceiling: -2, floor: -3, 'half-up': -3, 'half-down': -2, 'half-even': -2 }],
    [-55, { up: -6, down: -5, ceiling: -5, floor: -6, 'half-up': -6, 'half-down': -5, 'half-even': -6 }],
  ];
  it.each(table)('rounds %i/10 like java.math.RoundingMode', (tenths, expected) => {
    for (const mode of ROUNDING_MODES) {
      expect(divideRounded(BigInt(tenths), 10n, mode), mode).toBe(BigInt(expected[mode]));
      expect(divideRounded(BigInt(-tenths), -10n, mode), `${mode} negative divisor`).toBe(BigInt(expected[mode]));
    }
  });

  it('refuses division by zero', () => {
    expect(() => divideRounded(1n, 0n)).toThrow(expect.objectContaining({ code: 'MONEY_DIVISION_BY_ZERO' }));
  });
});

describe('properties over many random amounts (fixed seed)', () => {
  const CURRENCIES = ['EUR', 'USD', 'JPY', 'KWD', 'GBP'];
  const random = seededRandom(20_261_121);
  const randomAmount = (currency: string): Money => {
    const magnitude = random.pick([100n, 10n ** 6n, 10n ** 9n, 10n ** 12n, 10n ** 15n, 10n ** 18n]);
    const aligned = random.intBelow(2) === 0;
    const unit = aligned ? minorUnitMicros(currency) : 1n;
    const micros = (random.bigintBelow(magnitude) / unit) * unit;
    return money(random.intBelow(4) === 0 ? -micros : micros, currency);
  };
  const RUNS = 3_000;

  it('split then sum equals the total; shares differ by at most one unit', () => {
    for (let run = 0; run < RUNS; run += 1) {
      const total = randomAmount(random.pick(CURRENCIES));
      const parts = 1 + random.intBelow(12);
      const shares = splitMoney(total, parts);
      expect(shares).toHaveLength(parts);
      expect(sumMoney(shares, total.currency)).toEqual(total);
      const micros = shares.map((share) => share.amountMicros);
      const spread = micros.reduce((a, b) => (a > b ? a : b)) - micros.reduce((a, b) => (a < b ? a : b));
      const unit = total.amountMicros % minorUnitMicros(total.currency) === 0n ? minorUnitMicros(total.currency) : 1n;
      expect(spread <= unit, `${formatMoney(total)} / ${parts}`).toBe(true);
    }
  });

  it('allocation by random weights sums to the total and stays within one unit of the exact share', () => {
    for (let run = 0; run < RUNS; run += 1) {
      const total = randomAmount(random.pick(CURRENCIES));
      const weights = Array.from({ length: 1 + random.intBelow(6) }, () => BigInt(random.intBelow(1000)));
      if (!weights.some((w) => w !== 0n)) weights.push(1n);
      const weightSum = weights.reduce((a, b) => a + b, 0n);
      const shares = allocateMoney(total, weights);
      expect(sumMoney(shares, total.currency)).toEqual(total);
      const unit = total.amountMicros % minorUnitMicros(total.currency) === 0n ? minorUnitMicros(total.currency) : 1n;
      shares.forEach((share, i) => {
        // |share·Σw − total·w| < unit·Σw
        const deviation = share.amountMicros * weightSum - total.amountMicros * (weights[i] ?? 0n);
        expect((deviation < 0n ? -deviation : deviation) < unit * weightSum).toBe(true);
      });
    }
  });

  it('parse(format(x)) = x, with "." or "," as the decimal point', () => {
    for (let run = 0; run < RUNS; run += 1) {
      const currency = random.pick(CURRENCIES);
      const value = randomAmount(currency);
      const text = formatAmount(value);
      expect(parseMoney(text, currency, { precision: 'micros' })).toEqual(value);
      expect(parseMoney(`${text.replace('.', ',')} ${currency}`, currency, { precision: 'micros' })).toEqual(value);
      if (value.amountMicros % minorUnitMicros(currency) === 0n) expect(parseMoney(text, currency)).toEqual(value);
      expect(formatAmount(parseMoney(text, currency, { precision: 'micros' }))).toBe(text);
    }
  });

  it('percentages are within half a minor unit of the exact value (half-even)', () => {
    for (let run = 0; run < RUNS; run += 1) {
      const currency = random.pick(CURRENCIES);
      const value = randomAmount(currency);
      const percentTimes100 = BigInt(random.intBelow(20_001)); // 0.00 % … 200.00 %
      const percent = `${percentTimes100 / 100n}.${(percentTimes100 % 100n).toString().padStart(2, '0')}`;
      const result = percentOf(value, percent);
      const unit = minorUnitMicros(currency);
      expect(result.amountMicros % unit).toBe(0n);
      // |result − value·p/10000| ≤ unit/2  ⇔  |result·10000 − value·p| ≤ unit·5000
      const error = result.amountMicros * 10_000n - value.amountMicros * percentTimes100;
      expect((error < 0n ? -error : error) <= unit * 5_000n, `${percent}% of ${formatMoney(value)}`).toBe(true);
    }
  });

  it('add and subtract are inverse; exponents come from ISO 4217', () => {
    for (let run = 0; run < RUNS; run += 1) {
      const currency = random.pick(CURRENCIES);
      const a = randomAmount(currency);
      const b = randomAmount(currency);
      expect(subtractMoney(addMoney(a, b), b)).toEqual(a);
    }
    expect(CURRENCIES.map(currencyExponent)).toEqual([2, 2, 0, 3, 2]);
  });
});
