import { findEmails, findPhones } from '@supportstream/privacy';

/**
 * The output check: what a reply must never contain, whatever the model was told or tricked into.
 *
 * - the canary of the system prompts (the model repeated its instructions), also spelt out with
 *   spaces, dashes or case changes, or in part (any 12 characters of its random core);
 * - secrets: values shaped like API keys and tokens (`sk-…`, `Bearer …`, PEM blocks, AWS, GitHub,
 *   Slack, Google and Stripe keys, JWTs, credentials in URLs, `password=…`), and the configured
 *   secrets of the deployment (configuredSecrets);
 * - other customers' data: an e-mail address, phone number or customer id that is neither the
 *   requesting customer's own (their CRM record, what they wrote, what was looked up for them) nor
 *   published by the tenant (knowledge passages, its own contacts).
 *
 * Pure: the caller gathers the context. A failed check lists where each finding is, so the reply
 * can be withheld and shown to a supervisor redacted (redactReply).
 */

export const REPLY_CHECKS = ['canary', 'secret', 'other_customer_data'] as const;
export type ReplyCheckName = (typeof REPLY_CHECKS)[number];

export interface ReplyFinding {
  readonly check: ReplyCheckName;
  /** Which rule found it: `canary`, `api_key`, `bearer_token`, `pem_block`, `configured_secret`, `email`, `phone`, `customer_id`, … */
  readonly rule: string;
  /** UTF-16 offsets into the reply, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface RequestingCustomer {
  readonly customerId: string;
  /** From the CRM record, when it was looked up. */
  readonly email?: string | null | undefined;
}

export interface ReplyCheckContext {
  readonly canary: string;
  /** Secret values of the deployment (configuredSecrets(env)); each is looked for as it is. */
  readonly secrets?: readonly string[] | undefined;
  readonly customer: RequestingCustomer;
  /** Text of or about the requesting customer (their message, the facts looked up for them): identifiers in it are theirs. */
  readonly ownText?: readonly string[] | undefined;
  /** Text the tenant publishes (knowledge passages, its own addresses and numbers): not a customer's data. */
  readonly publicText?: readonly string[] | undefined;
  /** Country of phone numbers written without a prefix (ISO 3166, default the privacy package's). */
  readonly phoneCountry?: string | undefined;
  /** What a customer id looks like; default: ids shaped like the requester's (`cust-42` → `cust-…`). */
  readonly customerIdPattern?: RegExp | undefined;
}

export interface ReplyCheck {
  readonly ok: boolean;
  /** The checks that failed, in REPLY_CHECKS order. */
  readonly failed: readonly ReplyCheckName[];
  readonly findings: readonly ReplyFinding[];
}

export function checkReply(reply: string, context: ReplyCheckContext): ReplyCheck {
  const findings = [...canaryFindings(reply, context.canary), ...secretFindings(reply, context.secrets ?? []), ...otherCustomerFindings(reply, context)].sort(
    (a, b) => a.start - b.start || a.end - b.end,
  );
  const failed = REPLY_CHECKS.filter((check) => findings.some((finding) => finding.check === check));
  return { ok: failed.length === 0, failed, findings };
}

const WITHHELD: Readonly<Record<ReplyCheckName, string>> = {
  canary: '[withheld: internal marker]',
  secret: '[withheld: secret]',
  other_customer_data: "[withheld: another customer's data]",
};

/** The reply with every finding replaced by a placeholder, so a supervisor can read it without the leak. */
export function redactReply(reply: string, findings: readonly ReplyFinding[]): string {
  const spans = [...findings].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const span of spans) {
    if (span.end <= at) continue;
    out += reply.slice(at, Math.max(at, span.start));
    if (span.start >= at) out += WITHHELD[span.check];
    at = span.end;
  }
  return out + reply.slice(at);
}

// ---- canary ----------------------------------------------------------------------------------

const CANARY_WINDOW = 12;

/** The reply folded to lower-case letters and digits, with each kept character's offset in the reply. */
function squash(text: string): { readonly text: string; readonly offsets: readonly number[] } {
  let folded = '';
  const offsets: number[] = [];
  let index = 0;
  for (const char of text) {
    for (const kept of char.normalize('NFKC').toLowerCase()) {
      if (/[\p{L}\p{N}]/u.test(kept)) {
        folded += kept;
        offsets.push(index);
      }
    }
    index += char.length;
  }
  return { text: folded, offsets };
}

function canaryFindings(reply: string, canary: string): ReplyFinding[] {
  const folded = squash(reply);
  const target = squash(canary).text;
  if (target.length === 0) return [];
  // The whole canary, and every window of its longest letter-and-digit run (its random part).
  const core = (canary.toLowerCase().match(/[a-z0-9]+/g) ?? []).reduce((longest, run) => (run.length > longest.length ? run : longest), '');
  const needles = new Set([target]);
  if (core.length >= CANARY_WINDOW) for (let i = 0; i + CANARY_WINDOW <= core.length; i += 1) needles.add(core.slice(i, i + CANARY_WINDOW));
  const findings: ReplyFinding[] = [];
  for (const needle of needles) {
    for (let at = folded.text.indexOf(needle); at >= 0; at = folded.text.indexOf(needle, at + 1)) {
      const start = folded.offsets[at] ?? 0;
      const end = (folded.offsets[at + needle.length - 1] ?? start) + 1;
      findings.push({ check: 'canary', rule: 'canary', start, end });
    }
  }
  return mergeOverlaps(findings);
}

function mergeOverlaps(findings: ReplyFinding[]): ReplyFinding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start);
  const merged: ReplyFinding[] = [];
  for (const finding of sorted) {
    const last = merged.at(-1);
    if (last && finding.start <= last.end && finding.check === last.check) merged[merged.length - 1] = { ...last, end: Math.max(last.end, finding.end) };
    else merged.push(finding);
  }
  return merged;
}

// ---- secrets ---------------------------------------------------------------------------------

const SECRET_PATTERNS: readonly (readonly [rule: string, pattern: RegExp])[] = [
  ['api_key', /(?<![\w-])sk-(?:ant-|proj-|svcacct-|live-|test-)?[A-Za-z0-9_-]{16,}/g],
  ['bearer_token', /\bBearer\s+(?=[A-Za-z0-9\-._~+/]*\d)[A-Za-z0-9\-._~+/]{16,}=*/g],
  ['pem_block', /-----BEGIN [A-Z0-9 ]{3,40}-----[\s\S]*?(?:-----END [A-Z0-9 ]{3,40}-----|$)/g],
  ['aws_access_key', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g],
  ['github_token', /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})/g],
  ['slack_token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/g],
  ['google_api_key', /\bAIza[0-9A-Za-z_-]{35}/g],
  ['stripe_key', /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g],
  ['jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ['url_credentials', /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s/:@]+:[^\s/@]+@/gi],
  // `password: Xy7…`: a value with letters and digits, so "password: please reset it" is not one.
  ['credential_assignment', /\b(?:api[_-]?key|secret|password|passwd|passwort|mot de passe|contraseña|token|access[_-]?key)["']?\s*[:=]\s*["']?(?=[^\s"']*\d)(?=[^\s"']*[A-Za-z])[^\s"']{8,}/giu],
];

const MIN_SECRET_LENGTH = 8;

function secretFindings(reply: string, secrets: readonly string[]): ReplyFinding[] {
  const findings: ReplyFinding[] = [];
  for (const [rule, pattern] of SECRET_PATTERNS) {
    for (const match of reply.matchAll(pattern)) findings.push({ check: 'secret', rule, start: match.index, end: match.index + match[0].length });
  }
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (let at = reply.indexOf(secret); at >= 0; at = reply.indexOf(secret, at + 1)) findings.push({ check: 'secret', rule: 'configured_secret', start: at, end: at + secret.length });
  }
  return mergeOverlaps(findings);
}

type Env = Readonly<Record<string, string | undefined>>;

const SECRET_VARIABLE = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|MASTER_KEY|CREDENTIAL/i;

/**
 * The secret values of a deployment's environment, for the output check: every variable whose
 * name says it is secret (and each part of a list such as `k1:base64,k2:base64`), and the password
 * in any URL (DATABASE_URL, REDIS_URL…). A password equal to its URL's user, host or database
 * name protects nothing and would flag every mention of that name (the local stack's
 * `supportstream:supportstream`), so it is left out; so are values under 8 characters.
 */
export function configuredSecrets(env: Env): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined) => {
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) found.add(value);
  };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (SECRET_VARIABLE.test(name)) {
      add(value);
      for (const part of value.split(/[\s,;]+/)) {
        add(part);
        add(/^[^:=]{1,64}[:=](.+)$/.exec(part)?.[1]);
      }
    }
    const password = urlPassword(value);
    if (password !== undefined) add(password);
  }
  return [...found];
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*:[^/\s]*@/i.test(value)) return undefined;
  try {
    const url = new URL(value);
    const password = decodeURIComponent(url.password);
    const names = [decodeURIComponent(url.username), url.hostname, url.pathname.replace(/^\//, '')];
    return password === '' || names.includes(password) ? undefined : password;
  } catch {
    return undefined;
  }
}

// ---- other customers' data -----------------------------------------------------------------------

const PHONE_DIGITS_COMPARED = 8;
const DIGIT_RUN = /\+?\d[\d \t\u00A0()./-]{4,}\d/g;

const lastDigits = (text: string) => text.replace(/\D/g, '').slice(-PHONE_DIGITS_COMPARED);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Ids shaped like the requester's: a letter prefix and a separator, then letters and digits. */
function customerIdPatternOf(customer: RequestingCustomer): RegExp | undefined {
  const prefix = /^([A-Za-z]{2,}[-_])[A-Za-z0-9]+$/.exec(customer.customerId)?.[1];
  return prefix === undefined ? undefined : new RegExp(String.raw`(?<![\p{L}\p{N}_-])${escapeRegExp(prefix)}[A-Za-z0-9]+(?![\p{L}\p{N}_])`, 'giu');
}

function otherCustomerFindings(reply: string, context: ReplyCheckContext): ReplyFinding[] {
  const allowedText = [...(context.ownText ?? []), ...(context.publicText ?? []), context.customer.email ?? '', context.customer.customerId].join('\n');
  const allowedLower = allowedText.toLowerCase();
  const findings: ReplyFinding[] = [];

  for (const email of findEmails(reply)) {
    if (!allowedLower.includes(email.text.toLowerCase())) findings.push({ check: 'other_customer_data', rule: 'email', start: email.start, end: email.end });
  }

  const allowedPhones = new Set([...allowedText.matchAll(DIGIT_RUN)].map((match) => lastDigits(match[0])));
  for (const phone of findPhones(reply, ...(context.phoneCountry === undefined ? [] : [context.phoneCountry]))) {
    if (!allowedPhones.has(lastDigits(phone.text))) findings.push({ check: 'other_customer_data', rule: 'phone', start: phone.start, end: phone.end });
  }

  const idPattern = context.customerIdPattern ?? customerIdPatternOf(context.customer);
  if (idPattern !== undefined) {
    const pattern = new RegExp(idPattern.source, idPattern.flags.includes('g') ? idPattern.flags : `${idPattern.flags}g`);
    const allowedIds = new Set([...allowedText.matchAll(pattern)].map((match) => match[0].toLowerCase()));
    allowedIds.add(context.customer.customerId.toLowerCase());
    for (const match of reply.matchAll(pattern)) {
      if (!allowedIds.has(match[0].toLowerCase())) findings.push({ check: 'other_customer_data', rule: 'customer_id', start: match.index, end: match.index + match[0].length });
    }
  }
  return findings;
}
