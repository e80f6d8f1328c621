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
  const kinds = options.kinds ?? PII_KINDS;
  return resolveOverlaps(kinds.flatMap((kind) => DETECTORS[kind](text, options)));
}

/** Whether the text holds any personal data that `detectPii` would report. */
export function containsPii(text: string, options: DetectOptions = {}): boolean {
  return detectPii(text, options).length > 0;
}
