/**
 * IBAN length per country (SWIFT IBAN registry): every country of the SEPA area, the territories
 * that use their parent's format, and the other registered countries whose length is settled.
 * An IBAN whose country is not listed here is not detected.
 */
const SEPA: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18,
  FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27,
  VA: 22,
};

// Territories with their own ISO code that use France's, Finland's or the UK's IBAN format.
const TERRITORIES: Readonly<Record<string, number>> = {
  AX: 18,
  BL: 27, GF: 27, GP: 27, MF: 27, MQ: 27, NC: 27, PF: 27, PM: 27, RE: 27, TF: 27, WF: 27, YT: 27,
  GG: 22, IM: 22, JE: 22,
};

const OTHERS: Readonly<Record<string, number>> = {
  AE: 23, AL: 28, AZ: 28, BA: 20, BH: 22, BR: 29, BY: 28, CR: 22, DO: 28, EG: 29, FO: 18, GE: 22,
  GL: 18, GT: 28, IL: 23, IQ: 23, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, MD: 24, ME: 22, MK: 19,
  MR: 27, MU: 30, PK: 24, PS: 29, QA: 29, RS: 22, SA: 24, SC: 31, ST: 25, SV: 28, TL: 23, TN: 24,
  TR: 26, UA: 29, VG: 24, XK: 20,
};

const LENGTHS: ReadonlyMap<string, number> = new Map(
  [SEPA, TERRITORIES, OTHERS].flatMap((table) => Object.entries(table)),
);

/** The IBAN length of a country (upper-case ISO 3166 code), or undefined when it is not known here. */
export function ibanLength(country: string): number | undefined {
  return LENGTHS.get(country);
}

/** The longest IBAN of any listed country (Saint Lucia, 32). */
export const MAX_IBAN_LENGTH = Math.max(...LENGTHS.values());
