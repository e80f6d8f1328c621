import type { CrmCustomer, CrmOrder, CrmPayment, CrmSubscription } from './crm.js';
import { formatMoney } from './money.js';
import type { Proration } from './proration.js';
import type { RefundComputation } from './refund.js';

// One-line facts that agents paste into prompts. CRM text (names, plans) is untrusted: control
// characters and line breaks are flattened so a record cannot start a new prompt line.

const MAX_FACT_LENGTH = 600;

export function oneLine(text: string, max = MAX_FACT_LENGTH): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001F\u007F\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function day(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

function times(count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
}

function orderState(order: CrmOrder, daysSinceDelivery: number | null): string {
  switch (order.status) {
    case 'delivered':
      return order.deliveredAt === null ? 'delivered' : `delivered ${day(order.deliveredAt)}${daysSinceDelivery === null ? '' : ` (${daysSinceDelivery} days ago)`}`;
    case 'shipped':
      return 'shipped, in transit (not delivered yet)';
    case 'placed':
      return 'placed, not paid yet';
    case 'paid':
      return 'paid, not shipped yet';
    case 'refunded':
    case 'cancelled':
      return order.status;
  }
}

function chargesText(payments: readonly CrmPayment[], refund: RefundComputation): string {
  const charges = payments.filter((payment) => payment.kind === 'charge');
  if (charges.length === 0) return 'not charged';
  const days = [...new Set(charges.map((charge) => day(charge.capturedAt)))].join(' and ');
  const duplicate = refund.duplicateCharge;
  const amounts = duplicate !== null && duplicate.chargeIds.length === charges.length ? ` (${charges.length} × ${formatMoney(duplicate.amount)})` : '';
  const refunded = refund.refunded.amountMicros > 0n ? `, ${formatMoney(refund.refunded)} refunded` : '';
  return `charged ${times(charges.length)}${amounts} on ${days}${refunded}`;
}

function refundableText(refund: RefundComputation): string {
  switch (refund.reason) {
    case 'duplicate-charge':
      return `refundable ${formatMoney(refund.amount)} for the duplicate charge (${formatMoney(refund.captured)} captured)`;
    case 'nothing-refundable':
      return 'nothing left to refund';
    case 'requested':
    case 'remaining-balance':
      return `refundable ${formatMoney(refund.refundable)}`;
  }
}

/** "Order 1001 (customer cust-42): paid, not shipped yet, 49.99 EUR, placed 2026-11-02; charged twice (2 × 49.99 EUR) on 2026-11-02; refundable 49.99 EUR for the duplicate charge (99.98 EUR captured)". */
export function orderFact(order: CrmOrder, payments: readonly CrmPayment[], refund: RefundComputation, daysSinceDelivery: number | null): string {
  return oneLine(
    `Order ${order.id} (customer ${order.customerId}): ${orderState(order, daysSinceDelivery)}, ${formatMoney(order.total)}, placed ${day(order.placedAt)}; ${chargesText(payments, refund)}; ${refundableText(refund)}`,
  );
}

export function refundFact(orderId: string, refund: RefundComputation): string {
  const ledger = `${formatMoney(refund.captured)} captured, ${formatMoney(refund.refunded)} already refunded`;
  const head = `Refund for order ${orderId}:`;
  switch (refund.reason) {
    case 'requested':
      if (refund.refundable.amountMicros === 0n) return oneLine(`${head} nothing can be refunded (${ledger})`);
      if (refund.capped && refund.requested !== null) {
        return oneLine(`${head} ${formatMoney(refund.requested)} requested but only ${formatMoney(refund.refundable)} is refundable (${ledger}); refund ${formatMoney(refund.amount)}`);
      }
      return oneLine(`${head} ${formatMoney(refund.amount)} as requested (up to ${formatMoney(refund.refundable)} refundable)`);
    case 'duplicate-charge': {
      const duplicates = refund.duplicateCharge?.chargeIds.slice(1).join(', ') ?? '';
      return oneLine(`${head} ${formatMoney(refund.amount)} for the duplicate charge ${duplicates} (${ledger})`);
    }
    case 'remaining-balance':
      return oneLine(`${head} ${formatMoney(refund.amount)}, the full remaining balance (${ledger})`);
    case 'nothing-refundable':
      return oneLine(`${head} nothing to refund (${ledger})`);
  }
}

export function customerFact(customer: CrmCustomer, orders: readonly CrmOrder[], subscription: CrmSubscription | undefined): string {
  const recent = orders.length === 0 ? 'no orders' : `recent orders: ${orders.map((order) => `${order.id} ${order.status} ${formatMoney(order.total)} (${day(order.placedAt)})`).join(', ')}`;
  const plan = subscription === undefined ? 'no active subscription' : `subscription ${subscription.plan} ${formatMoney(subscription.price)} per period ${subscription.periodStart} to ${subscription.periodEnd}`;
  return oneLine(`Customer ${customer.id} (${oneLine(customer.name, 80)}): ${customer.tier}, ${customer.status}, customer since ${day(customer.createdAt)}; ${recent}; ${plan}`);
}

export function prorationFact(subscription: CrmSubscription, proration: Proration): string {
  return oneLine(
    `Subscription ${subscription.id} (${oneLine(subscription.plan, 80)}, ${formatMoney(subscription.price)} for ${subscription.periodStart} to ${subscription.periodEnd}): ` +
      `cancelling on ${proration.cancelDate} leaves ${proration.unusedDays} of ${proration.totalDays} days unused; prorated refund ${formatMoney(proration.refund)} (the day of cancellation counts as used)`,
  );
}
