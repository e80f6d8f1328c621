import { z } from 'zod';

/**
 * The arguments of each agent tool, as zod schemas: the input types of the tools are inferred
 * from them (one declaration), and the allowlist (allowlist.ts) validates every call against them
 * before the tool runs. Arguments often come from a model's reading of a customer's text, so they
 * are held to the shapes real values have: ids are identifiers, amounts are non-negative decimals
 * in a known currency, dates are ISO dates, and no object carries a field the tool does not know.
 */

export const MAX_ID_LENGTH = 200;
// The gateway's id alphabet (letters, digits, . _ : @ -) plus | and + (identity-provider subjects).
const ID_SHAPE = /^[A-Za-z0-9._:@|+-]+$/;
const ORDER_ID_SHAPE = /^#?\s*[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const MAX_AMOUNT_LENGTH = 40;
const MAX_DATE_LENGTH = 40;
// Digits, grouped or not, with an optional decimal part; no sign, so never negative.
const AMOUNT_NUMBER = String.raw`\d[\d.,\s\u00A0\u202F'’_]*\d|\d`;
const AMOUNT_SHAPE = new RegExp(String.raw`^\s*(?:([A-Za-z]{3})\s*)?(${AMOUNT_NUMBER})\s*(?:([A-Za-z]{3}))?\s*$`);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 4217 codes the runtime knows (Intl), e.g. EUR, USD, JPY. */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code.toUpperCase());
}

const id = (field: string) =>
  z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(MAX_ID_LENGTH, `${field} must be at most ${MAX_ID_LENGTH} characters`)
    .regex(ID_SHAPE, `${field} must be an identifier (letters, digits and . _ : @ | + -)`);

const orderId = z
  .string()
  .trim()
  .min(1, 'orderId must not be empty')
  .max(MAX_ID_LENGTH, `orderId must be at most ${MAX_ID_LENGTH} characters`)
  .regex(ORDER_ID_SHAPE, 'orderId must be an order number such as "1001", "#1001" or "A-1001"');

/** A non-negative amount, with at most one currency code, which must be a known one: "20", "20,00 EUR", "EUR 20". */
const amount = z
  .string()
  .max(MAX_AMOUNT_LENGTH, `amount must be at most ${MAX_AMOUNT_LENGTH} characters`)
  .superRefine((text, context) => {
    const match = AMOUNT_SHAPE.exec(text);
    if (match === null) {
      context.addIssue({ code: 'custom', message: 'amount must be a non-negative decimal number with an optional currency code' });
      return;
    }
    const [, before, , after] = match;
    if (before !== undefined && after !== undefined) context.addIssue({ code: 'custom', message: 'amount must name its currency once' });
    const currency = before ?? after;
    if (currency !== undefined && !isKnownCurrency(currency)) context.addIssue({ code: 'custom', message: `amount is in an unknown currency "${currency}"` });
  });

const isoDate = z
  .string()
  .max(MAX_DATE_LENGTH, `cancelAt must be at most ${MAX_DATE_LENGTH} characters`)
  .regex(ISO_DATE, 'cancelAt must be YYYY-MM-DD or an ISO timestamp')
  .refine((text) => !Number.isNaN(Date.parse(text)), 'cancelAt must be a real date');

export const lookupOrderArguments = z.strictObject({
  tenantId: id('tenantId'),
  /** "1001" or "#1001". */
  orderId,
  /** When given, an order of another customer is reported as not found. */
  customerId: id('customerId').optional(),
});

export const customerOverviewArguments = z.strictObject({
  tenantId: id('tenantId'),
  customerId: id('customerId'),
  /** How many recent orders to list (1–20, default 5). */
  recentOrders: z.number().int().min(1).max(20).optional(),
});

export const computeRefundArguments = lookupOrderArguments.extend({
  /** The amount asked for, in the order's currency: "20", "20.00", "20,00 EUR". Default: what is due. */
  amount: amount.optional(),
});

export const computeProrationArguments = z.strictObject({
  tenantId: id('tenantId'),
  customerId: id('customerId'),
  /** `YYYY-MM-DD` or an ISO timestamp (its UTC date counts). Default: today by the clock. */
  cancelAt: isoDate.optional(),
});

/** Every tool's argument schema, by tool name. */
export const TOOL_ARGUMENTS = {
  lookupOrder: lookupOrderArguments,
  customerOverview: customerOverviewArguments,
  computeRefund: computeRefundArguments,
  computeProration: computeProrationArguments,
} as const;

export type ToolName = keyof typeof TOOL_ARGUMENTS;
export const TOOL_NAMES = Object.keys(TOOL_ARGUMENTS) as readonly ToolName[];

export type LookupOrderInput = Readonly<z.input<typeof lookupOrderArguments>>;
export type CustomerOverviewInput = Readonly<z.input<typeof customerOverviewArguments>>;
export type ComputeRefundInput = Readonly<z.input<typeof computeRefundArguments>>;
export type ComputeProrationInput = Readonly<z.input<typeof computeProrationArguments>>;
