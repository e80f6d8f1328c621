import type { SupportTicket } from '@supportstream/eval';
import { detectPii, type PiiKind } from '@supportstream/privacy';

/** A personal value of a ticket, in the form it is compared in. */
export interface PersonalValue {
  readonly kind: PiiKind;
  /** The value normalised by `matchKey`; never printed (reports name the kind only). */
  readonly key: string;
}

/** What the leak check reads of a ticket: its customer, its text and the kinds it holds. */
export type LeakTicket = Pick<SupportTicket, 'id' | 'tenantId' | 'customerId' | 'message' | 'pii'>;

/** What the leak check reads of a ticket's run. */
export interface LeakSubject {
  readonly ticket: LeakTicket;
  readonly threadId: string;
  /** The text of every request the run sent to the provider port (all messages of each). */
  readonly prompts: readonly { readonly task: string; readonly text: string }[];
  /** The reply that went out to the ticket's customer, if any. */
  readonly reply?: string;
}

export interface PiiLeak {
  readonly kind: PiiKind;
  /** `prompt:<task>` (sent to the model provider) or `reply:<ticket id>` (sent to another customer). */
  readonly where: string;
}

/** A value is compared by this much at least: shorter keys would match by chance. */
const MIN_KEY_LENGTH = 6;

/**
 * The form values are compared in: JSON escapes undone (prompts carry the input as JSON), Unicode
 * compatibility forms folded, lower case, and only letters and digits kept. So `4242 4242 4242
 * 4242`, `4242-4242-4242-4242` and `4242424242424242` are one value, while a masked form
 * (`•••• 4242`, `[CARD]`) is not the value.
 */
export function matchKey(text: string): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/\\[nrtbf"\\/]/g, ' ')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The personal values @supportstream/privacy detects in a text, each once. */
export function personalValues(text: string): PersonalValue[] {
  const values = new Map<string, PersonalValue>();
  for (const finding of detectPii(text)) {
    const key = matchKey(finding.text);
    if (key.length >= MIN_KEY_LENGTH && !values.has(key)) values.set(key, { kind: finding.kind, key });
  }
  return [...values.values()];
}

/** The kinds a ticket is labelled with that the detector does not find in its message: their leaks go unmeasured. */
export function undetectedKinds(ticket: SupportTicket): PiiKind[] {
  const found = new Set(personalValues(ticket.message).map((value) => value.kind));
  return ticket.pii.filter((kind) => !found.has(kind));
}

const customerOf = (ticket: LeakTicket) => JSON.stringify([ticket.tenantId, ticket.customerId]);

/**
 * The personal values of each ticket labelled with personal data that appear in clear where they
 * must not be:
 * - in a request to the model provider made by the ticket's run or by a later run of its
 *   conversation (an external provider must never see them; masking is measured, not assumed);
 * - in a reply that went out to another customer, unless that customer wrote the same value
 *   themselves (the dataset reuses published test numbers).
 * A reply to the ticket's own customer may carry their own data. Each value counts once per
 * ticket, wherever and however often it appears.
 */
export function findPiiLeaks(subjects: readonly LeakSubject[]): Map<string, PiiLeak[]> {
  const ownKeys = new Map<string, Set<string>>();
  for (const { ticket } of subjects) {
    const keys = ownKeys.get(customerOf(ticket)) ?? new Set<string>();
    for (const value of personalValues(ticket.message)) keys.add(value.key);
    ownKeys.set(customerOf(ticket), keys);
  }
  const prompts = subjects.map((subject) => subject.prompts.map(({ task, text }) => ({ task, key: matchKey(text) })));
  const replies = subjects.flatMap(({ ticket, reply }) =>
    reply === undefined ? [] : [{ id: ticket.id, customer: customerOf(ticket), key: matchKey(reply) }],
  );

  const leaks = new Map<string, PiiLeak[]>();
  subjects.forEach((subject, index) => {
    if (subject.ticket.pii.length === 0) return;
    const customer = customerOf(subject.ticket);
    // The prompts of this run and of the later runs of its conversation (subjects are in file order).
    const reach = prompts.filter((_prompt, other) => other >= index && subjects[other]?.threadId === subject.threadId);
    const found: PiiLeak[] = [];
    for (const value of personalValues(subject.ticket.message)) {
      const prompt = reach.flat().find((candidate) => candidate.key.includes(value.key));
      // Another customer's reply, with a value that customer did not write themselves.
      const reply = replies.find(
        (candidate) =>
          candidate.customer !== customer &&
          candidate.key.includes(value.key) &&
          !ownKeys.get(candidate.customer)?.has(value.key),
      );
      if (prompt) found.push({ kind: value.kind, where: `prompt:${prompt.task}` });
      else if (reply) found.push({ kind: value.kind, where: `reply:${reply.id}` });
    }
    leaks.set(subject.ticket.id, found);
  });
  return leaks;
}
