import { maskDeep } from '@supportstream/privacy/mask';
import type { Principal } from './auth/principal.js';

/**
 * Fields that name who or what, not what a customer wrote: ids (`conversationId`, `customerId`,
 * `approvalId`, …) and the staff member who decided (`decidedBy`, a token subject). They stay as
 * they are for every role: a supervisor must see which customer and which colleague.
 */
const IDENTIFYING = (key: string): boolean => key === 'decidedBy' || /(?:Id|Ids|_id)$/.test(key);

/**
 * What a caller sees of conversation content (messages, replies, step outputs, proposed replies).
 * A customer reads their own conversation as they wrote it. Every other role (supervisor, admin,
 * service) gets personal data masked in what was written: card numbers, IBANs, e-mail addresses,
 * phone numbers, national ids and addresses become placeholders such as `[card ••••4242]`; ids
 * and `decidedBy` stay. A supervisor decides an approval on the request, the reasons and the exact
 * amounts, which stay; nobody but the customer needs the card number, and a leaked supervisor or
 * integration credential then leaks no customer's data.
 */
export function viewFor<T>(principal: Principal, value: T): T {
  return principal.role === 'customer' ? value : maskDeep(value, { keepKey: IDENTIFYING });
}

/**
 * What a customer may read of each event type of their own conversation: the fields kept (all
 * others dropped), and the timeline line shown instead of the staff one. The customer sees what
 * they wrote, which steps ran, that a supervisor reviews it and the decision, and the reply with
 * its sources. Never: step outputs and summaries (the agents' reasoning, notes for agents, tool
 * results), the proposed reply and actions, risk and reasons, who decided and their comment,
 * error messages, alerts, metrics and model usage. A type not listed here is not shown at all.
 */
const CUSTOMER_EVENT_FIELDS: Readonly<Record<string, { readonly fields: readonly string[]; readonly summary?: (data: Record<string, unknown>) => string }>> = {
  RequestReceived: { fields: ['channel', 'customerId', 'subject', 'message', 'locale'] },
  AgentStepCompleted: { fields: ['runId', 'node', 'stepIndex', 'next'], summary: (data) => `${String(data['node'])} done` },
  StepFailed: { fields: ['runId', 'node', 'willRetry'], summary: (data) => `${String(data['node'])} ${data['willRetry'] === true ? 'is retried' : 'failed'}` },
  ApprovalRequested: { fields: ['approvalId', 'runId', 'expiresAt'], summary: () => 'a supervisor reviews the request' },
  ApprovalDecided: { fields: ['approvalId', 'decision'], summary: (data) => `the supervisor ${data['decision'] === 'REJECTED' ? 'declined' : 'approved'} the request` },
  ApprovalExpired: { fields: ['approvalId', 'expiredAt'], summary: () => 'the review timed out; a person follows up' },
  ReplyReady: { fields: ['replyId', 'runId', 'customerId', 'channel', 'body', 'citations'] },
  RunCompleted: { fields: ['runId', 'outcome', 'finalReply', 'citations'], summary: (data) => `run ended: ${String(data['outcome'])}` },
};

const pick = (data: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> => Object.fromEntries(fields.filter((field) => field in data).map((field) => [field, data[field]]));

interface EventLike {
  readonly type: string;
  readonly summary: string;
  readonly data: Record<string, unknown>;
}

/** One event as the caller may see it; undefined when a customer may not see it at all. */
export function eventFor<E extends EventLike>(principal: Principal, event: E): E | undefined {
  if (principal.role !== 'customer') return viewFor(principal, event);
  const rule = CUSTOMER_EVENT_FIELDS[event.type];
  if (rule === undefined) return undefined;
  const data = pick(event.data, rule.fields);
  return { ...event, data, summary: rule.summary === undefined ? event.summary : rule.summary(data) };
}

/** A page of events as the caller may see it (for a customer: fewer, and reduced). */
export const eventsFor = <E extends EventLike>(principal: Principal, events: readonly E[]): E[] => events.flatMap((event) => eventFor(principal, event) ?? []);

/** A conversation as the caller may see it: a customer does not see the triage decision (category, priority, sentiment, risk flags). */
export function conversationFor<C extends { readonly triage: unknown }>(principal: Principal, conversation: C): C {
  return principal.role === 'customer' ? { ...conversation, triage: null } : viewFor(principal, conversation);
}
