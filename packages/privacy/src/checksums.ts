/**
 * The check-digit rules the detectors use to tell a real identifier from a number that only has
 * its shape. Every function takes the bare characters (no spaces or dashes) and is pure.
 */

const DIGITS = /^\d+$/;

/** Luhn (mod 10), as on payment cards. */
export function luhnValid(digits: string): boolean {
  if (!DIGITS.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** "0000000000000" and the like pass Luhn but are test fillers, not numbers anyone holds. */
export function allSameDigit(digits: string): boolean {
  return digits.length > 0 && digits.split('').every((digit) => digit === digits[0]);
}

/** The remainder mod 97 of a decimal string of any length, folded a few digits at a time. */
export function mod97(decimal: string): number {
  let remainder = 0;
  for (let i = 0; i < decimal.length; i += 7) {
    remainder = Number(`${remainder}${decimal.slice(i, i + 7)}`) % 97;
  }
  return remainder;
}

/** ISO 13616: move the first four characters to the end, letters to 10..35, the number mod 97 is 1. */
export function ibanChecksumValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let decimal = '';
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    decimal += code >= 65 ? String(code - 55) : char;
  }
  return mod97(decimal) === 1;
}

/**
 * US Social Security number (9 digits): area 001–665 or 667–899, group 01–99, serial 0001–9999
 * (the rules since randomization in 2011). The number printed on the sample card of 1938 was used
 * by thousands of people and is void.
 */
export function usSsnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  return digits !== '078051120' && digits !== '219099999';
}

// Letters that the UK never uses in a National Insurance number prefix, and prefixes never issued.
const NINO_FIRST = /^[A-CEGHJ-PR-TW-Z]$/;
const NINO_SECOND = /^[A-CEGHJ-NPR-TW-Z]$/;
const NINO_VOID_PREFIXES = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/** UK National Insurance number: two prefix letters, six digits, suffix A–D. It has no check digit. */
export function ukNinoValid(nino: string): boolean {
  if (!/^[A-Z]{2}\d{6}[A-D]$/.test(nino)) return false;
  const prefix = nino.slice(0, 2);
  return NINO_FIRST.test(prefix[0] ?? '') && NINO_SECOND.test(prefix[1] ?? '') && !NINO_VOID_PREFIXES.has(prefix);
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the letter is the number mod 23. */
export function spanishIdValid(id: string): boolean {
  const match = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(id);
  if (match === null) return false;
  const [, prefix = '', digits = '', letter] = match;
  if (prefix === '' ? digits.length !== 8 : digits.length !== 7) return false;
  const number = Number(`${prefix === '' ? '' : 'XYZ'.indexOf(prefix)}${digits}`);
  return DNI_LETTERS[number % 23] === letter;
}

/**
 * French NIR (numéro de sécurité sociale): 13 characters and a 2-digit key, key = 97 − (number mod 97).
 * Corsica's departments 2A and 2B count as 19 and 18 in the computation.
 */
export function frenchNirValid(nir: string): boolean {
  const match = /^([1-478])(\d{2})(\d{2})(\d[\dAB])(\d{6})(\d{2})$/.exec(nir);
  if (match === null) return false;
  const [, sex = '', , month = '', department = '', rest = '', key = ''] = match;
  const monthNumber = Number(month);
  // 01–12, or 20 and above for people whose birth month was unknown at registration.
  if (monthNumber === 0 || (monthNumber > 12 && monthNumber < 20)) return false;
  const numericDepartment = department === '2A' ? '19' : department === '2B' ? '18' : department;
  if (!/^\d{2}$/.test(numericDepartment)) return false;
  const body = `${sex}${match[2] ?? ''}${month}${numericDepartment}${rest}`;
  return 97 - mod97(body) === Number(key);
}

/** Dutch BSN: 9 digits, Σ dᵢ·(9…2) − d₉ ≡ 0 (mod 11) (the "elfproef"), and not all zeros. */
export function dutchBsnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (digits.charCodeAt(i) - 48) * (9 - i);
  sum -= digits.charCodeAt(8) - 48;
  return sum % 11 === 0;
}

/**
 * German tax id (Steuerliche Identifikationsnummer): 11 digits, no leading 0; among the first ten
 * exactly one digit occurs two or three times (three never in a row) and the rest at most once;
 * the last digit is the ISO 7064 MOD 11,10 check digit.
 */
export function germanTaxIdValid(digits: string): boolean {
  if (!/^[1-9]\d{10}$/.test(digits)) return false;
  const body = digits.slice(0, 10);
  const counts = new Map<string, number>();
  for (const digit of body) counts.set(digit, (counts.get(digit) ?? 0) + 1);
  const repeated = [...counts.entries()].filter(([, count]) => count > 1);
  if (repeated.length !== 1) return false;
  const [digit, count] = repeated[0] ?? ['', 0];
  if (count > 3 || (count === 3 && body.includes(digit.repeat(3)))) return false;
  return iso7064Mod11_10(body) === Number(digits[10]);
}

function iso7064Mod11_10(body: string): number {
  let product = 10;
  for (const char of body) {
    let sum = (Number(char) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = 11 - product;
  return check === 10 ? 0 : check;
}
