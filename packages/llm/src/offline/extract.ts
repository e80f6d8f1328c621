import { moneyAmounts } from '@supportstream/domain';

/** Money and order-number extraction from free text, exact to the micro-unit. */

export interface MoneyAmount {
  readonly amountMicros: number;
  readonly currency: string;
}

/**
 * Parses `1,234.56`, `1.234,56`, `49,99`, `49.99`, `120` into micros with string arithmetic (no
 * floating point). The last `.` or `,` followed by one or two digits is the decimal separator;
 * every other separator groups thousands.
 */
export function parseAmountMicros(text: string): number | undefined {
  const compact = text.replace(/[ ']/g, '');
  const decimal = /[.,](\d{1,2})$/.exec(compact);
  const whole = (decimal ? compact.slice(0, decimal.index) : compact).replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole)) return undefined;
  const fraction = (decimal?.[1] ?? '').padEnd(6, '0');
  const micros = Number(whole) * 1_000_000 + Number(fraction);
  return Number.isSafeInteger(micros) ? micros : undefined;
}

/**
 * All money amounts in the text, in order of appearance: the domain's reading (the one the
 * escalation policy uses), so the triage and the policy never disagree on what was asked for
 * (`1 299,00 €`, `$4.8k`, `EUR 1.200`).
 */
export function extractMoney(text: string): MoneyAmount[] {
  return moneyAmounts(text).map(({ amountMicros, currency }) => ({ amountMicros: Number(amountMicros), currency }));
}

const ORDER_WORD = String.raw`order|bestellung|bestellnummer|auftrag|commande|pedido`;
const ORDER_LABEL = String.raw`(?:\s*(?:number|no\.?|nr\.?|nummer|num[eé]ro|n[º°]|id))?`;
const ORDER_ID = new RegExp(String.raw`(?<![\p{L}])(?:${ORDER_WORD})${ORDER_LABEL}\s*[:#]?\s*#?(?<id>[A-Z0-9][A-Z0-9-]{2,})`, 'giu');
const HASH_ID = /(?<![\p{L}\d])#(?<id>\d{3,})\b/gu;

/** `order #1001`, `order 1001`, `Bestellung Nr. 1001`, `order number: A-1001`; else a bare `#1001`. */
export function extractOrderId(text: string): string | null {
  for (const pattern of [ORDER_ID, HASH_ID]) {
    for (const match of text.matchAll(pattern)) {
      const id = match.groups?.['id'];
      if (id !== undefined && /\d/.test(id)) return id.toUpperCase();
    }
  }
  return null;
}
