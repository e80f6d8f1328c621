import { ibanChecksumValid } from './checksums.js';
import { finding, type PiiFinding } from './findings.js';
import { ibanLength } from './ibanCountries.js';
import { attachedBefore, isWordChar } from './textScan.js';

// Country code and check digits; the rest is read character by character, up to the country's length.
const IBAN_START = /[A-Za-z]{2}\d{2}/g;
const ALNUM = /^[A-Za-z0-9]$/;

/**
 * Reads the BBAN after the check digits: letters and digits, single spaces between them (the
 * printed form groups by four), until `length` characters are read. Returns the end offset and the
 * compact characters, or undefined when the text runs out or is glued to more letters or digits.
 */
function readBban(text: string, from: number, length: number): { end: number; chars: string } | undefined {
  let chars = '';
  let index = from;
  while (chars.length < length) {
    const char = text[index];
    if (char !== undefined && ALNUM.test(char)) {
      chars += char;
      index++;
    } else if (char === ' ' && ALNUM.test(text[index + 1] ?? '')) {
      index++;
    } else {
      return undefined;
    }
  }
  return isWordChar(text[index]) ? undefined : { end: index, chars };
}

/** IBANs of the countries in the table, compact or printed in groups, valid by mod 97. */
export function findIbans(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  for (const match of text.matchAll(IBAN_START)) {
    const start = match.index;
    if (attachedBefore(text, start)) continue;
    const country = match[0].slice(0, 2).toUpperCase();
    const length = ibanLength(country);
    if (length === undefined) continue;
    const bban = readBban(text, start + 4, length - 4);
    if (bban === undefined) continue;
    const iban = `${match[0].toUpperCase()}${bban.chars.toUpperCase()}`;
    if (ibanChecksumValid(iban)) found.push(finding('iban', text, start, bban.end, country));
  }
  return found;
}
