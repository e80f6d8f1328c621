import type { CrmCustomer, CrmOrder, CrmPayment, CrmSubscription } from './crm.js';
import { formatMoney, multiplyMoney, type Money } from './money.js';
import type { Proration } from './proration.js';
import type { RefundComputation } from './refund.js';

// Plain JSON shapes of what the agent tools return: strings for money micros and instants, so
// `JSON.stringify` works and nothing is rounded on the way into a prompt or an event.

export interface MoneyView {
  /** Exact micros as a decimal string. */
  readonly amountMicros: string;
  readonly currency: string;
  /** "49.99 EUR". */
  readonly formatted: string;
}

export interface OrderLineView {
  readonly lineNo: number;
  readonly sku: string;
  readonly description: string;
  readonly quantity: number;
  readonly unitPrice: MoneyView;
  readonly lineTotal: MoneyView;
}

export interface OrderSummaryView {
  readonly id: string;
  readonly status: CrmOrder['status'];
  readonly total: MoneyView;
  /** ISO 8601 instants. */
  readonly placedAt: string;
  readonly deliveredAt: string | null;
}

export interface OrderView extends OrderSummaryView {
  readonly customerId: string;
  /** Whole days from delivery to the tools' clock; null when not delivered. */
  readonly daysSinceDelivery: number | null;
  readonly lines: readonly OrderLineView[];
}

export interface PaymentView {
  readonly id: string;
  readonly kind: CrmPayment['kind'];
  readonly amount: MoneyView;
  readonly capturedAt: string;
}

export interface RefundView {
  readonly amount: MoneyView;
  readonly reason: RefundComputation['reason'];
  readonly captured: MoneyView;
  readonly refunded: MoneyView;
  readonly refundable: MoneyView;
  readonly requested: MoneyView | null;
  readonly capped: boolean;
  readonly duplicateCharge: { readonly chargeIds: readonly string[]; readonly amount: MoneyView; readonly outstanding: MoneyView } | null;
}

export interface CustomerView {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly tier: CrmCustomer['tier'];
  readonly status: CrmCustomer['status'];
  readonly createdAt: string;
}

export interface SubscriptionView {
  readonly id: string;
  readonly plan: string;
  readonly price: MoneyView;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly status: CrmSubscription['status'];
}

export interface ProrationView {
  readonly refund: MoneyView;
  readonly cancelDate: string;
  readonly totalDays: number;
  readonly usedDays: number;
  readonly unusedDays: number;
}

export function moneyView(amount: Money): MoneyView {
  return { amountMicros: amount.amountMicros.toString(), currency: amount.currency, formatted: formatMoney(amount) };
}

const DAY_MS = 86_400_000;

export function orderSummaryView(order: CrmOrder): OrderSummaryView {
  return { id: order.id, status: order.status, total: moneyView(order.total), placedAt: order.placedAt.toISOString(), deliveredAt: order.deliveredAt?.toISOString() ?? null };
}

export function orderView(order: CrmOrder, now: Date): OrderView {
  return {
    ...orderSummaryView(order),
    customerId: order.customerId,
    daysSinceDelivery: order.deliveredAt === null ? null : Math.max(0, Math.floor((now.getTime() - order.deliveredAt.getTime()) / DAY_MS)),
    lines: order.lines.map((line) => ({
      lineNo: line.lineNo,
      sku: line.sku,
      description: line.description,
      quantity: line.quantity,
      unitPrice: moneyView(line.unitPrice),
      lineTotal: moneyView(multiplyMoney(line.unitPrice, line.quantity)),
    })),
  };
}

export function paymentView(payment: CrmPayment): PaymentView {
  return { id: payment.id, kind: payment.kind, amount: moneyView(payment.amount), capturedAt: payment.capturedAt.toISOString() };
}

export function refundView(refund: RefundComputation): RefundView {
  const duplicate = refund.duplicateCharge;
  return {
    amount: moneyView(refund.amount),
    reason: refund.reason,
    captured: moneyView(refund.captured),
    refunded: moneyView(refund.refunded),
    refundable: moneyView(refund.refundable),
    requested: refund.requested === null ? null : moneyView(refund.requested),
    capped: refund.capped,
    duplicateCharge: duplicate === null ? null : { chargeIds: duplicate.chargeIds, amount: moneyView(duplicate.amount), outstanding: moneyView(duplicate.outstanding) },
  };
}

export function customerView(customer: CrmCustomer): CustomerView {
  return { id: customer.id, name: customer.name, email: customer.email, tier: customer.tier, status: customer.status, createdAt: customer.createdAt.toISOString() };
}

export function subscriptionView(subscription: CrmSubscription): SubscriptionView {
  return { id: subscription.id, plan: subscription.plan, price: moneyView(subscription.price), periodStart: subscription.periodStart, periodEnd: subscription.periodEnd, status: subscription.status };
}

export function prorationView(proration: Proration): ProrationView {
  return { refund: moneyView(proration.refund), cancelDate: proration.cancelDate, totalDays: proration.totalDays, usedDays: proration.usedDays, unusedDays: proration.unusedDays };
}
