import { lexicon } from './text.js';

/** Rules a reply must follow; the offline draft obeys them and the offline review checks them. */

/** Words that promise an outcome nobody has checked. */
export const PROMISES = lexicon(['guarantee*', 'promise*', '100%', 'definitely will', 'certainly will', 'garantier*', 'versprech*', 'verspreche', 'garanti*', 'prometo', 'promets']);

/**
 * A refund commitment ("we will refund", "your refund has been issued", "wir erstatten"), as
 * opposed to quoting the refund policy. Only allowed when a tool fact says there is a refund.
 */
export const REFUND_COMMITMENT =
  /\b(we|i)\s*(will|'ll|have|'ve|are going to)\s+(\w+\s+){0,3}refund|\brefund\s+(has been|was|will be|is being)\s+(issued|processed|approved|sent)|\byou will (receive|get)\s+(a|your|the)\s+(full\s+)?refund|\bwir\s+(werden\s+)?(ihnen\s+)?(\w+\s+){0,3}erstatten|\berstattung\s+(wurde|wird)\s+(veranlasst|angewiesen|ausgelöst)/i;

export const REFUND_FACT = /refund|erstatt|rembours|reembols/i;

export function factsMentionRefund(facts: readonly string[]): boolean {
  return facts.some((fact) => REFUND_FACT.test(fact));
}

/** Above this many characters a support reply is too long to read. */
export const MAX_REPLY_CHARS = 1500;
/** Below this many characters a reply says nothing. */
export const MIN_REPLY_CHARS = 20;
