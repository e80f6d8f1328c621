import { maskDeep } from '@supportstream/privacy/mask';
import type { Principal } from './auth/principal.js';

/**
 * What a caller sees of conversation content (messages, replies, step outputs, proposed replies).
 * A customer reads their own conversation as they wrote it. Every other role (supervisor, admin,
 * service) gets personal data masked: card numbers, IBANs, e-mail addresses, phone numbers,
 * national ids and addresses become placeholders such as `[card ••••4242]`. A supervisor decides
 * an approval on the request and the amounts, which stay; nobody but the customer needs the card
 * number, and a leaked supervisor or integration credential then leaks no customer's data.
 */
export function viewFor<T>(principal: Principal, value: T): T {
  return principal.role === 'customer' ? value : maskDeep(value);
}
