import { describe, expect, it } from 'vitest';
import { cardBrand, isCardNumber } from './cards.js';
import {
  allSameDigit,
  dutchBsnValid,
  frenchNirValid,
  germanTaxIdValid,
  ibanChecksumValid,
  luhnValid,
  mod97,
  spanishIdValid,
  ukNinoValid,
  usSsnValid,
} from './checksums.js';
import { ibanLength, MAX_IBAN_LENGTH } from './ibanCountries.js';

describe('Luhn and card networks', () => {
  it('accepts the networks’ test numbers and rejects a changed digit', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('42424242a4242424')).toBe(false);
  });

  it('names the network, and refuses numbers no network issues', () => {
    expect(cardBrand('4242424242424242')).toBe('visa');
    expect(cardBrand('5555555555554444')).toBe('mastercard');
    expect(cardBrand('2223003122003222')).toBe('mastercard');
    expect(cardBrand('378282246310005')).toBe('amex');
    expect(cardBrand('6011111111111117')).toBe('discover');
    expect(cardBrand('3530111333300000')).toBe('jcb');
    expect(cardBrand('36227206271667')).toBe('diners');
    expect(cardBrand('6200000000000005')).toBe('unionpay');
    // A 14-digit "Visa" and numbers starting with 1, 7, 8, 9 or 0.
    expect(cardBrand('42424242424242')).toBeUndefined();
    expect(isCardNumber('1234567812345670')).toBe(false);
    expect(isCardNumber('9400111899223100')).toBe(false);
  });

  it('rejects one digit repeated even when Luhn passes', () => {
    expect(luhnValid('0000000000000000')).toBe(true);
    expect(allSameDigit('0000000000000000')).toBe(true);
    expect(isCardNumber('0000000000000000')).toBe(false);
    expect(isCardNumber('4444444444444448')).toBe(true);
  });
});

describe('IBAN', () => {
  it('checks mod 97 over the rearranged number', () => {
    expect(mod97('3214282912345698765432161182')).toBe(1);
    expect(ibanChecksumValid('DE89370400440532013000')).toBe(true);
    expect(ibanChecksumValid('GB29NWBK60161331926819')).toBe(true);
    expect(ibanChecksumValid('FR1420041010050500013M02606')).toBe(true);
    expect(ibanChecksumValid('DE89370400440532013001')).toBe(false);
    expect(ibanChecksumValid('DE8937040044053201300')).toBe(false);
  });

  it('knows the length of every SEPA country and not of countries without IBAN', () => {
    const sepa = { DE: 22, FR: 27, ES: 24, IT: 27, NL: 18, BE: 16, AT: 20, CH: 21, GB: 22, NO: 15, MT: 31, PL: 28 };
    for (const [country, length] of Object.entries(sepa)) expect(ibanLength(country)).toBe(length);
    expect(ibanLength('US')).toBeUndefined();
    expect(MAX_IBAN_LENGTH).toBe(32);
  });
});

describe('national ids', () => {
  it('US SSN: area, group and serial rules', () => {
    expect(usSsnValid('123456789')).toBe(true);
    expect(usSsnValid('000123456')).toBe(false);
    expect(usSsnValid('666123456')).toBe(false);
    expect(usSsnValid('912345678')).toBe(false);
    expect(usSsnValid('123004567')).toBe(false);
    expect(usSsnValid('123450000')).toBe(false);
    expect(usSsnValid('078051120')).toBe(false);
  });

  it('UK NINO: prefix letters and suffix', () => {
    expect(ukNinoValid('AB123456C')).toBe(true);
    expect(ukNinoValid('QQ123456C')).toBe(false);
    expect(ukNinoValid('BG123456A')).toBe(false);
    expect(ukNinoValid('AO123456A')).toBe(false);
    expect(ukNinoValid('AB123456E')).toBe(false);
  });

  it('Spanish DNI and NIE: the check letter', () => {
    expect(spanishIdValid('12345678Z')).toBe(true);
    expect(spanishIdValid('12345678A')).toBe(false);
    expect(spanishIdValid('X1234567L')).toBe(true);
    expect(spanishIdValid('Y1234567X')).toBe(true);
    expect(spanishIdValid('X1234567A')).toBe(false);
    expect(spanishIdValid('X12345678Z')).toBe(false);
  });

  it('French NIR: key = 97 − number mod 97, Corsica as 19 and 18', () => {
    expect(frenchNirValid('185057800608491')).toBe(true);
    expect(frenchNirValid('185057800608436')).toBe(false);
    expect(frenchNirValid('29001' + '2A' + '12345662')).toBe(true);
    expect(frenchNirValid('18513780060848')).toBe(false);
    // Month 13–19 does not exist.
    expect(frenchNirValid('185157800608491')).toBe(false);
  });

  it('Dutch BSN: the eleven-test', () => {
    expect(dutchBsnValid('111222333')).toBe(true);
    expect(dutchBsnValid('123456782')).toBe(true);
    expect(dutchBsnValid('123456789')).toBe(false);
    expect(dutchBsnValid('000000000')).toBe(false);
  });

  it('German tax id: digit frequencies and ISO 7064 MOD 11,10', () => {
    expect(germanTaxIdValid('86095742719')).toBe(true);
    expect(germanTaxIdValid('86095742718')).toBe(false);
    // Every digit once in the first ten: not issued.
    expect(germanTaxIdValid('12345678903')).toBe(false);
    expect(germanTaxIdValid('06095742719')).toBe(false);
  });
});
