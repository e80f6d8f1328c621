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
