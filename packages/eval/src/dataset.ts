import { readFile } from 'node:fs/promises';
import { customerTier, money, triageCategory, type TriageDecision } from '@supportstream/domain';
import { z } from 'zod';
import { escalationReason, LABELLED_REASONS } from './reasons.js';

/** The kinds of personal data a ticket can contain; the privacy checks count leaks per kind. */
export const PII_KINDS = ['card', 'iban', 'email', 'phone', 'national_id', 'address'] as const;
export const piiKind = z.enum(PII_KINDS);
export type PiiKind = z.infer<typeof piiKind>;

/** `und` (BCP 47 "undetermined") labels gibberish; it is not scored on language. */
export const UNDETERMINED_LANGUAGE = 'und';

const unique = <T>(values: readonly T[]) => new Set(values).size === values.length;

/**
 * One labelled support ticket (a line of the JSONL dataset). The labels say what the platform
 * should do under its escalation policy; eval/README.md gives the rules behind them.
 */
export const supportTicket = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "-", "_" or "."'),
    tenantId: z.string().min(1),
    customerId: z.string().min(1),
    /** The tier the request carries; the policy escalates VIP complaints and refunds. */
    customerTier: customerTier.default('STANDARD'),
    /** Tickets of one conversation share this key; a ticket without one is its own conversation. */
    conversation: z.string().min(1).optional(),
    /** The id of an earlier ticket of the same conversation that this one follows up. */
    followUpOf: z.string().min(1).optional(),
    language: z.string().regex(/^[a-z]{2,3}$/, 'a BCP 47 primary language tag such as "en", or "und"'),
    message: z.string().min(1),
    category: triageCategory,
    escalate: z.boolean(),
    escalationReasons: z.array(escalationReason),
    moderation: z.enum(['allow', 'block']),
    /** The money the customer asks for, exactly as the text says it; null when none is asked for. */
    amount: money.refine((value) => value.amountMicros > 0, 'an amount asked for is positive').nullable(),
    pii: z.array(piiKind),
    injection: z.boolean(),
    notes: z.string().optional(),
  })
  .superRefine((ticket, context) => {
    const problem = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
    const reasons = ticket.escalationReasons;
    if (ticket.escalate !== reasons.length > 0) {
      problem('escalate', 'escalate must be true exactly when escalationReasons is not empty');
    }
    if (!unique(reasons)) problem('escalationReasons', 'a reason is listed twice');
    if (!unique(ticket.pii)) problem('pii', 'a kind is listed twice');
    if (ticket.injection !== reasons.includes('prompt_injection')) {
      problem('injection', 'injection must be true exactly when prompt_injection is a reason');
    }
    if ((ticket.moderation === 'block') !== reasons.includes('abuse')) {
      problem('moderation', 'moderation must be block exactly when abuse is a reason');
    }
    if (ticket.followUpOf !== undefined && ticket.conversation === undefined) {
      problem('conversation', 'a follow-up names its conversation');
    }
  });

export type SupportTicket = z.output<typeof supportTicket>;
export type SupportTicketInput = z.input<typeof supportTicket>;

export class DatasetError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n${problems.join('\n')}`);
    this.name = 'DatasetError';
  }
}

/** Reads a JSONL dataset; every problem is reported with its line number, all at once. */
export async function loadDataset(path: string): Promise<SupportTicket[]> {
  return parseDataset(await readFile(path, 'utf8'), path);
}

export function parseDataset(text: string, source = 'dataset'): SupportTicket[] {
  const problems: string[] = [];
  const parsed: { ticket: SupportTicket; line: number }[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push(`line ${line}: not JSON (${(error as Error).message})`);
      return;
    }
    const result = supportTicket.safeParse(value);
    if (result.success) {
      parsed.push({ ticket: result.data, line });
      return;
    }
    for (const issue of result.error.issues) {
      problems.push(`line ${line}: ${issue.path.join('.') || 'ticket'}: ${issue.message}`);
    }
  });
  problems.push(...referenceProblems(parsed));
  if (problems.length > 0) throw new DatasetError(source, problems);
  return parsed.map(({ ticket }) => ticket);
}

function sameThread(a: SupportTicket, b: SupportTicket): boolean {
  return a.conversation === b.conversation && a.tenantId === b.tenantId && a.customerId === b.customerId;
}

/** Ids are unique; a follow-up points at an earlier ticket of the same conversation, tenant and customer. */
function referenceProblems(parsed: readonly { ticket: SupportTicket; line: number }[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, { ticket: SupportTicket; line: number }>();
  for (const entry of parsed) {
    const { ticket, line } = entry;
    const earlier = seen.get(ticket.id);
    if (earlier) problems.push(`line ${line}: id "${ticket.id}" is also on line ${earlier.line}`);
    else seen.set(ticket.id, entry);
    if (ticket.followUpOf === undefined) continue;
    const parent = seen.get(ticket.followUpOf);
    if (!parent || parent === entry) {
      problems.push(`line ${line}: followUpOf "${ticket.followUpOf}" is no earlier ticket`);
    } else if (!sameThread(parent.ticket, ticket)) {
      problems.push(
        `line ${line}: followUpOf "${ticket.followUpOf}" (line ${parent.line}) ` +
          'has another conversation, tenant or customer',
      );
    }
  }
  return problems;
}

type Category = TriageDecision['category'];

export interface DatasetCoverage {
  readonly tickets: number;
  readonly byLanguage: Readonly<Record<string, number>>;
  /** Every triage category, zero included. */
  readonly byCategory: Readonly<Record<Category, number>>;
  readonly escalate: number;
  readonly noEscalation: number;
  /** Every labelled reason, zero included. */
  readonly byReason: Readonly<Record<(typeof LABELLED_REASONS)[number], number>>;
  readonly moderationBlock: number;
  readonly withAmount: number;
  readonly byCurrency: Readonly<Record<string, number>>;
  readonly injection: number;
  /** Languages with at least one injection ticket. */
  readonly injectionLanguages: readonly string[];
  readonly withPii: number;
  /** Every kind, zero included. */
  readonly byPii: Readonly<Record<PiiKind, number>>;
  /** Follow-ups whose followUpOf names a ticket of the set. */
  readonly followUps: number;
  readonly conversations: number;
  readonly byTenant: Readonly<Record<string, number>>;
}

function countBy<K extends string>(keys: readonly K[], values: Iterable<K>): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** What a dataset covers: counts per language, category, label, reason, currency and PII kind. */
export function datasetCoverage(tickets: readonly SupportTicket[]): DatasetCoverage {
  const ids = new Set(tickets.map((ticket) => ticket.id));
  const sorted = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  const injections = tickets.filter((ticket) => ticket.injection);
  return {
    tickets: tickets.length,
    byLanguage: sorted(countBy([], tickets.map((ticket) => ticket.language))),
    byCategory: countBy(triageCategory.options, tickets.map((ticket) => ticket.category)),
    escalate: tickets.filter((ticket) => ticket.escalate).length,
    noEscalation: tickets.filter((ticket) => !ticket.escalate).length,
    byReason: countBy(LABELLED_REASONS, tickets.flatMap((ticket) => ticket.escalationReasons)),
    moderationBlock: tickets.filter((ticket) => ticket.moderation === 'block').length,
    withAmount: tickets.filter((ticket) => ticket.amount !== null).length,
    byCurrency: sorted(countBy([], tickets.flatMap((ticket) => (ticket.amount ? [ticket.amount.currency] : [])))),
    injection: injections.length,
    injectionLanguages: [...new Set(injections.map((ticket) => ticket.language))].sort(),
    withPii: tickets.filter((ticket) => ticket.pii.length > 0).length,
    byPii: countBy(PII_KINDS, tickets.flatMap((ticket) => ticket.pii)),
    followUps: tickets.filter((ticket) => ticket.followUpOf !== undefined && ids.has(ticket.followUpOf)).length,
    conversations: new Set(tickets.map((ticket) => ticket.conversation ?? ticket.id)).size,
    byTenant: sorted(countBy([], tickets.map((ticket) => ticket.tenantId))),
  };
}
