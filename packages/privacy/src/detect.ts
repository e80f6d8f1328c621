import { findAddresses } from './addresses.js';
import { findCards } from './cards.js';
import { findEmails } from './email.js';
import { PII_KINDS, resolveOverlaps, type PiiFinding, type PiiKind } from './findings.js';
import { findIbans } from './iban.js';
import { findNationalIds } from './nationalIds.js';
import { DEFAULT_PHONE_COUNTRY, findPhones } from './phone.js';

export interface DetectOptions {
  /** Country for phone numbers written without a country prefix (ISO 3166 alpha-2; default `US`). */
  readonly defaultCountry?: string;
  /** Look only for these kinds (default: all). */
  readonly kinds?: readonly PiiKind[];
}

type Detector = (text: string, options: DetectOptions) => PiiFinding[];

/** What a text has that some kinds need: counted once, so a detector that cannot match is skipped. */
interface Clues {
  readonly digits: number;
  readonly at: boolean;
}

function cluesOf(text: string): Clues {
  let digits = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
  }
  return { digits, at: text.includes('@') };
}

/**
 * Necessary conditions, cheaper than the detectors: a card number has at least 13 digits, a phone
 * number and every national id at least 6, an IBAN its 2 check digits, an e-mail address an `@`,
 * and a street address a house number. Most texts (a step's output, a short question) fail them.
 */
const POSSIBLE: Readonly<Record<PiiKind, (clues: Clues) => boolean>> = {
  card: (clues) => clues.digits >= 13,
  iban: (clues) => clues.digits >= 2,
  email: (clues) => clues.at,
  phone: (clues) => clues.digits >= 6,
  national_id: (clues) => clues.digits >= 6,
  address: (clues) => clues.digits >= 1,
};

const DETECTORS: Readonly<Record<PiiKind, Detector>> = {
  card: findCards,
  iban: findIbans,
  email: findEmails,
  phone: (text, options) => findPhones(text, options.defaultCountry ?? DEFAULT_PHONE_COUNTRY),
  national_id: findNationalIds,
  address: findAddresses,
};

/**
 * Personal data in a text: every finding, disjoint and sorted by start. Where candidates overlap,
 * the more strictly checked kind wins (an IBAN or a card over a national id, all of them over a
 * phone number), so the same digits are never reported twice.
 */
export function detectPii(text: string, options: DetectOptions = {}): PiiFinding[] {
  if (text.length === 0) return [];
  const clues = cluesOf(text);
  const kinds = (options.kinds ?? PII_KINDS).filter((kind) => POSSIBLE[kind](clues));
  return resolveOverlaps(kinds.flatMap((kind) => DETECTORS[kind](text, options)));
}

/** Whether the text holds any personal data that `detectPii` would report. */
export function containsPii(text: string, options: DetectOptions = {}): boolean {
  return detectPii(text, options).length > 0;
}
