import {
  dutchBsnValid,
  frenchNirValid,
  germanTaxIdValid,
  spanishIdValid,
  ukNinoValid,
  usSsnValid,
} from './checksums.js';
import { finding, type PiiFinding } from './findings.js';
import { attachedAfter, attachedBefore } from './textScan.js';

interface IdPattern {
  /** Reported as the finding's detail. */
  readonly detail: string;
  /** The printed shapes; each quantifier applies to a single character or class. */
  readonly pattern: RegExp;
  /** Checks the id without its spaces, dots and dashes, upper-cased. */
  readonly valid: (compact: string) => boolean;
  /** Required within KEYWORD_WINDOW characters before the id, for ids whose shape is too common alone. */
  readonly keyword?: RegExp;
}

const KEYWORD_WINDOW = 40;

const ID_PATTERNS: readonly IdPattern[] = [
  // 123-45-6789 or 123 45 6789 (the same separator twice); nine bare digits only after "SSN".
  { detail: 'us_ssn', pattern: /\d{3}([- ])\d{2}\1\d{4}/g, valid: usSsnValid },
  { detail: 'us_ssn', pattern: /\d{9}/g, valid: usSsnValid, keyword: /\bssn\b|social security/i },
  // QQ 12 34 56 C, upper case only: lower-case words before digits are too common.
  { detail: 'uk_nino', pattern: /[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]/g, valid: ukNinoValid },
  { detail: 'es_dni', pattern: /\d{8}[- ]?[A-Za-z]/g, valid: spanishIdValid },
  { detail: 'es_nie', pattern: /[XYZxyz][- ]?\d{7}[- ]?[A-Za-z]/g, valid: spanishIdValid },
  // 1 85 05 78 006 084 36, or the 15 characters together; Corsica's departments are 2A and 2B.
  {
    detail: 'fr_nir',
    pattern: /[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}/g,
    valid: frenchNirValid,
  },
  // Nine digits are everywhere: the 11-proof alone would pass one number in eleven.
  {
    detail: 'nl_bsn',
    pattern: /\d{4}[. ]?\d{2}[. ]?\d{3}/g,
    valid: dutchBsnValid,
    keyword: /\b(?:bsn|burgerservicenummer|sofi-?nummer)\b/i,
  },
  {
    detail: 'de_tax_id',
    pattern: /\d{2} ?\d{3} ?\d{3} ?\d{3}/g,
    valid: germanTaxIdValid,
    keyword: /steuer-?id|steuer-?identifikationsnummer|steuerliche identifikationsnummer|\bidnr\b|\btax id\b/i,
  },
];

function keywordBefore(text: string, start: number, keyword: RegExp): boolean {
  return keyword.test(text.slice(Math.max(0, start - KEYWORD_WINDOW), start));
}

function findId(text: string, id: IdPattern): PiiFinding[] {
  const found: PiiFinding[] = [];
  for (const match of text.matchAll(id.pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    if (attachedBefore(text, start) || attachedAfter(text, end)) continue;
    if (!id.valid(match[0].replace(/[ .-]/g, '').toUpperCase())) continue;
    if (id.keyword !== undefined && !keywordBefore(text, start, id.keyword)) continue;
    found.push(finding('national_id', text, start, end, id.detail));
  }
  return found;
}

/** National identity and tax numbers, checked by their check digits or issuing rules. */
export function findNationalIds(text: string): PiiFinding[] {
  return ID_PATTERNS.flatMap((id) => findId(text, id));
}
