import { detectPii, type DetectOptions } from './detect.js';
import type { PiiFinding, PiiKind } from './findings.js';
import { isSealed } from './sealed.js';

export interface MaskResult {
  readonly text: string;
  /** What was replaced, with offsets into the original text. */
  readonly findings: PiiFinding[];
}

/** The last four letters or digits: what support staff use to tell one card or account from another. */
function lastFour(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '').slice(-4).toUpperCase();
}

const PLACEHOLDERS: Readonly<Record<PiiKind, (finding: PiiFinding) => string>> = {
  card: (finding) => `[card ••••${lastFour(finding.text)}]`,
  iban: (finding) => `[iban ••••${lastFour(finding.text)}]`,
  email: () => '[email]',
  phone: () => '[phone]',
  national_id: () => '[national id]',
  address: () => '[address]',
};

/** The placeholder that replaces a finding in masked text. */
export function placeholderFor(finding: PiiFinding): string {
  return PLACEHOLDERS[finding.kind](finding);
}

/** The text with every finding replaced by its placeholder (`[card ••••4242]`, `[email]`, …). */
export function maskPii(text: string, options: DetectOptions = {}): MaskResult {
  const findings = detectPii(text, options);
  if (findings.length === 0) return { text, findings };
  const parts: string[] = [];
  let position = 0;
  for (const finding of findings) {
    parts.push(text.slice(position, finding.start), placeholderFor(finding));
    position = finding.end;
  }
  parts.push(text.slice(position));
  return { text: parts.join(''), findings };
}

/** Only the masked text, for call sites that do not need the findings. */
export function maskText(text: string, options: DetectOptions = {}): string {
  return maskPii(text, options).text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export interface MaskDeepOptions extends DetectOptions {
  /** Keys whose values are kept as they are, at any depth (ids, a staff member's name). */
  readonly keepKey?: (key: string) => boolean;
  /** Below this depth values are kept as they are (a log record may hold a cycle); default unbounded. */
  readonly maxDepth?: number;
  /** Errors become `{ type, message, stack, code }` with their text masked (a log record's `err`); default: kept as they are. */
  readonly errorsAsRecords?: boolean;
}

/**
 * A copy of a JSON-like value with every string masked, at any depth in objects and arrays (for
 * read models, analytics, webhook payloads, gateway responses and log records). Keys, numbers and
 * booleans are kept; sealed values (`enc:v1:…`) are kept as they are, since they hold no clear
 * text; other objects (a Date, a Buffer) are returned as they are.
 */
export function maskDeep<T>(value: T, options: MaskDeepOptions = {}): T {
  return maskValue(value, options, 0) as T;
}

function maskValue(value: unknown, options: MaskDeepOptions, depth: number): unknown {
  if (typeof value === 'string') return isSealed(value) ? value : maskText(value, options);
  if (options.maxDepth !== undefined && depth > options.maxDepth) return value;
  if (options.errorsAsRecords && value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { type: value.name, message: maskText(value.message, options), ...(value.stack === undefined ? {} : { stack: maskText(value.stack, options) }), ...(code === undefined ? {} : { code }) };
  }
  if (Array.isArray(value)) return value.map((item) => maskValue(item, options, depth + 1));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, options.keepKey?.(key) ? item : maskValue(item, options, depth + 1)]));
  }
  return value;
}
