import { InvalidInputError } from '@supportstream/errors';
import { assertSameCurrency, compareMoney, maxMoney, minMoney, money, subtractMoney, sumMoney, zeroMoney, type Money } from './money.js';

export interface RefundablePayment {
  readonly id: string;
  /** A charge took money from the customer; a refund gave some back. Amounts are positive. */
  readonly kind: 'charge' | 'refund';
  readonly amount: Money;
  readonly capturedAt: Date;
}

export interface RefundableOrder {
  readonly total: Money;
  readonly payments: readonly RefundablePayment[];
}

export type RefundReason =
  /** The caller asked for an amount (possibly capped to what is refundable). */
  | 'requested'
  /** No amount asked for and the order was charged twice: refund the duplicate charge. */
  | 'duplicate-charge'
  /** No amount asked for: refund everything still refundable. */
  | 'remaining-balance'
  /** Nothing was captured, or everything captured was refunded already. */
  | 'nothing-refundable';

export interface DuplicateCharge {
  /** The charges of the same amount, oldest first; the later ones are the duplicates. */
  readonly chargeIds: readonly string[];
  readonly amount: Money;
  /** What is still to give back for the duplicates (0 once they were refunded). */
  readonly outstanding: Money;
}

export interface RefundComputation {
  /** What to refund now; never more than `refundable`, never negative. */
  readonly amount: Money;
  readonly reason: RefundReason;
  readonly captured: Money;
  readonly refunded: Money;
  /** captured − refunded: the most any refund may be. */
  readonly refundable: Money;
  readonly requested: Money | null;
  /** The requested amount was more than `refundable` and was reduced to it. */
  readonly capped: boolean;
  readonly duplicateCharge: DuplicateCharge | null;
}

/**
 * Two or more charges of the same amount, where what was charged exceeds the order total by at
 * least that amount: the customer paid one of them twice. Of several such groups the largest
 * amount wins. (Split payments of an order, e.g. 2 × 25.00 for a 50.00 order, are not duplicates.)
 */
function findDuplicateCharge(charges: readonly RefundablePayment[], total: Money, captured: Money, refunded: Money): DuplicateCharge | null {
  const overcharge = subtractMoney(captured, total);
  const byAmount = new Map<bigint, RefundablePayment[]>();
  for (const charge of charges) byAmount.set(charge.amount.amountMicros, [...(byAmount.get(charge.amount.amountMicros) ?? []), charge]);
  const candidates = [...byAmount.values()]
    .filter((group) => group.length >= 2 && group[0] !== undefined && compareMoney(overcharge, group[0].amount) >= 0)
    .sort((a, b) => compareMoney(b[0]?.amount ?? total, a[0]?.amount ?? total));
  const group = candidates[0];
  const first = group?.[0];
  if (group === undefined || first === undefined) return null;
  const ordered = [...group].sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const duplicates = money(first.amount.amountMicros * BigInt(group.length - 1), total.currency);
  // Refunds already made count against the overcharge first.
  const stillOvercharged = maxMoney(zeroMoney(total.currency), subtractMoney(overcharge, refunded));
  return { chargeIds: ordered.map((charge) => charge.id), amount: first.amount, outstanding: minMoney(duplicates, stillOvercharged) };
}

/**
 * How much to refund on an order. A refund can never exceed what was captured minus what was
 * already refunded. Without `requested`: the outstanding duplicate charge if the order was
 * charged twice, else the whole remaining balance. Amounts are exact (micros).
 */
export function refundAmount(order: RefundableOrder, requested?: Money): RefundComputation {
  const currency = order.total.currency;
  for (const payment of order.payments) {
    assertSameCurrency(order.total, payment.amount);
    if (payment.amount.amountMicros <= 0n) throw new InvalidInputError('REFUND_INVALID_PAYMENT', `payment ${payment.id} has a non-positive amount`, { details: { paymentId: payment.id } });
  }
  const charges = order.payments.filter((payment) => payment.kind === 'charge');
  const captured = sumMoney(
    charges.map((payment) => payment.amount),
    currency,
  );
  const refunded = sumMoney(
    order.payments.filter((payment) => payment.kind === 'refund').map((payment) => payment.amount),
    currency,
  );
  const refundable = maxMoney(zeroMoney(currency), subtractMoney(captured, refunded));
  const duplicateCharge = findDuplicateCharge(charges, order.total, captured, refunded);
  const base = { captured, refunded, refundable, duplicateCharge };

  if (requested !== undefined) {
    assertSameCurrency(order.total, requested);
    if (requested.amountMicros <= 0n) throw new InvalidInputError('REFUND_INVALID_AMOUNT', 'a refund must be a positive amount', { details: { requestedMicros: requested.amountMicros.toString() } });
    const amount = minMoney(requested, refundable);
    return { ...base, amount, reason: 'requested', requested, capped: compareMoney(requested, refundable) > 0 };
  }
  if (refundable.amountMicros === 0n) return { ...base, amount: refundable, reason: 'nothing-refundable', requested: null, capped: false };
  if (duplicateCharge !== null && duplicateCharge.outstanding.amountMicros > 0n) {
    return { ...base, amount: minMoney(duplicateCharge.outstanding, refundable), reason: 'duplicate-charge', requested: null, capped: false };
  }
  return { ...base, amount: refundable, reason: 'remaining-balance', requested: null, capped: false };
}

