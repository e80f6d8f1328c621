import { InvalidInputError } from '@supportstream/errors';
// The "max" metadata validates numbers by type (mobile, fixed line…) for each country, not by
// length alone, which keeps order numbers and the like out of the results.
import { findPhoneNumbersInText, isSupportedCountry } from 'libphonenumber-js/max';
import { finding, type PiiFinding } from './findings.js';

/** ISO 3166 code used for numbers written without a country prefix (default `US`). */
export const DEFAULT_PHONE_COUNTRY = 'US';

function unknownCountry(country: string): InvalidInputError {
  const message = `"${country}" is not a country libphonenumber knows (ISO 3166 alpha-2, e.g. US, FR)`;
  return new InvalidInputError('PII_UNKNOWN_COUNTRY', message, { details: { country } });
}

// Where a phone number can be: a digit, then digits and the characters numbers are written with.
// libphonenumber is only given these runs (with two characters of context, so it still sees a
// letter glued to the number), so text without digit runs costs nothing. Its own scan is linear.
const CANDIDATE = /\d[\d \t\u00a0()./-]*/g;
const MIN_DIGITS = 6;
const CONTEXT = 2;

/** Stretches of the text to hand to libphonenumber, as [start, end) offsets. */
function candidateRuns(text: string): [number, number][] {
  const runs: [number, number][] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const run = match[0].replace(/\D+$/, '');
    if (run.replace(/\D/g, '').length < MIN_DIGITS) continue;
    runs.push([Math.max(0, match.index - CONTEXT), Math.min(text.length, match.index + run.length + CONTEXT)]);
  }
  return runs;
}

/** The digits of a written number, and after how many digits each gap between digit groups comes. */
function grouping(written: string): { digits: string; cuts: number[] } {
  const groups = written.match(/\d+/g) ?? [];
  const cuts: number[] = [];
  let count = 0;
  for (const group of groups.slice(0, -1)) {
    count += group.length;
    cuts.push(count);
  }
  return { digits: groups.join(''), cuts };
}

/**
 * A number written without its country prefix must be grouped the way the country writes it (or
 * not grouped at all): "212-555-0199" and "06 12 34 56 78" are phone numbers, "2024-000123" (an
 * invoice number that happens to be a valid US number) is not. Every gap in the text must fall
 * on a gap of the national format; leading digits the format leaves out (a US "1") are skipped.
 */
function groupedLikeThePhoneNumber(written: string, national: string): boolean {
  if (written.trimStart().startsWith('+')) return true;
  const text = grouping(written);
  const canonical = grouping(national);
  if (text.cuts.length === 0 || !text.digits.endsWith(canonical.digits)) return true;
  const skipped = text.digits.length - canonical.digits.length;
  return text.cuts.every((cut) => cut <= skipped || canonical.cuts.includes(cut - skipped));
}

/**
 * Phone numbers that libphonenumber finds valid: international ones (+33 …) from any country,
 * national ones (06 12 34 56 78) only for `defaultCountry`, and only when grouped as that country
 * groups them or not grouped at all.
 */
export function findPhones(text: string, defaultCountry: string = DEFAULT_PHONE_COUNTRY): PiiFinding[] {
  if (!isSupportedCountry(defaultCountry)) throw unknownCountry(defaultCountry);
  const found: PiiFinding[] = [];
  for (const [from, to] of candidateRuns(text)) {
    for (const match of findPhoneNumbersInText(text.slice(from, to), { defaultCountry })) {
      const written = text.slice(from + match.startsAt, from + match.endsAt);
      if (!groupedLikeThePhoneNumber(written, match.number.formatNational())) continue;
      const detail = match.number.country ?? `+${match.number.countryCallingCode}`;
      found.push(finding('phone', text, from + match.startsAt, from + match.endsAt, detail));
    }
  }
  return found;
}
