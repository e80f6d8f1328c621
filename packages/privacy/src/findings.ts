/** What the detectors report: a kind of personal data and where it is in the text. */
export const PII_KINDS = ['card', 'iban', 'email', 'phone', 'national_id', 'address'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface PiiFinding {
  readonly kind: PiiKind;
  /** UTF-16 offsets into the text, end exclusive: `text.slice(start, end) === finding.text`. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Which variant: the card brand (`visa`), the id (`us_ssn`), the phone's country (`FR`), the IBAN's country. */
  readonly detail?: string;
}

export function finding(kind: PiiKind, text: string, start: number, end: number, detail?: string): PiiFinding {
  const base = { kind, start, end, text: text.slice(start, end) };
  return detail === undefined ? base : { ...base, detail };
}

// Where two findings overlap, the one whose kind is checked most strictly wins: an IBAN or a card
// (checksums over many digits) over a national id, and all of them over a phone number, which
// libphonenumber accepts on length and prefix alone.
const RANK: Readonly<Record<PiiKind, number>> = { iban: 0, card: 1, national_id: 2, email: 3, phone: 4, address: 5 };

function outranks(a: PiiFinding, b: PiiFinding): number {
  return RANK[a.kind] - RANK[b.kind] || b.end - b.start - (a.end - a.start) || a.start - b.start;
}

/** Index of the first accepted finding that ends after `start` (accepted is sorted and disjoint). */
function firstEndingAfter(accepted: readonly PiiFinding[], start: number): number {
  let low = 0;
  let high = accepted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((accepted[middle]?.end ?? 0) <= start) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Keeps the best of every group of overlapping findings; returns them disjoint and sorted by start. */
export function resolveOverlaps(candidates: readonly PiiFinding[]): PiiFinding[] {
  const accepted: PiiFinding[] = [];
  for (const candidate of [...candidates].sort(outranks)) {
    const index = firstEndingAfter(accepted, candidate.start);
    const next = accepted[index];
    if (next !== undefined && next.start < candidate.end) continue;
    accepted.splice(index, 0, candidate);
  }
  return accepted;
}
