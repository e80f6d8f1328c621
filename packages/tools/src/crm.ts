import type { Money } from './money.js';

export type CustomerTier = 'STANDARD' | 'PREMIUM' | 'VIP';
export type CustomerStatus = 'active' | 'closed';
export type OrderStatus = 'placed' | 'paid' | 'shipped' | 'delivered' | 'refunded' | 'cancelled';
export type PaymentKind = 'charge' | 'refund';
export type SubscriptionStatus = 'active' | 'cancelled' | 'expired';

export const CUSTOMER_TIERS: readonly CustomerTier[] = ['STANDARD', 'PREMIUM', 'VIP'];
export const CUSTOMER_STATUSES: readonly CustomerStatus[] = ['active', 'closed'];
export const ORDER_STATUSES: readonly OrderStatus[] = ['placed', 'paid', 'shipped', 'delivered', 'refunded', 'cancelled'];
export const PAYMENT_KINDS: readonly PaymentKind[] = ['charge', 'refund'];
export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['active', 'cancelled', 'expired'];

export interface CrmCustomer {
  readonly tenantId: string;
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly tier: CustomerTier;
  readonly status: CustomerStatus;
  readonly createdAt: Date;
}

export interface CrmOrderLine {
  readonly lineNo: number;
  readonly sku: string;
  readonly description: string;
  readonly quantity: number;
  /** In the order's currency. */
  readonly unitPrice: Money;
}

export interface CrmOrder {
  readonly tenantId: string;
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly total: Money;
  readonly placedAt: Date;
  readonly deliveredAt: Date | null;
  /** By line number. */
  readonly lines: readonly CrmOrderLine[];
}

export interface CrmPayment {
  readonly tenantId: string;
  readonly id: string;
  readonly orderId: string;
  readonly kind: PaymentKind;
  /** Positive for charges and refunds alike. */
  readonly amount: Money;
  readonly capturedAt: Date;
}

export interface CrmSubscription {
  readonly tenantId: string;
  readonly id: string;
  readonly customerId: string;
  readonly plan: string;
  /** Price of one period. */
  readonly price: Money;
  /** `YYYY-MM-DD`; the period is [periodStart, periodEnd). */
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly status: SubscriptionStatus;
}

/**
 * Read access to the CRM, always within one tenant: a record of another tenant is never
 * returned, even with the same id. Adapters: `postgresCrmDirectory` (tables of migration
 * 001_crm) and `inMemoryCrmDirectory` (unit tests, offline demo); one contract suite checks both.
 * A missing record is `undefined`; a failing store throws (a retriable error when transient).
 */
export interface CrmDirectory {
  findOrder(tenantId: string, orderId: string): Promise<CrmOrder | undefined>;
  /** Newest first (placedAt, then id, descending); `limit` between 1 and MAX_ORDERS_LIMIT. */
  ordersOfCustomer(tenantId: string, customerId: string, limit: number): Promise<readonly CrmOrder[]>;
  findCustomer(tenantId: string, customerId: string): Promise<CrmCustomer | undefined>;
  /** Oldest first (capturedAt, then id); empty for an unknown order. */
  paymentsOfOrder(tenantId: string, orderId: string): Promise<readonly CrmPayment[]>;
  /** The customer's subscription with status `active` (the latest period if several). */
  activeSubscription(tenantId: string, customerId: string): Promise<CrmSubscription | undefined>;
}

export const MAX_ORDERS_LIMIT = 100;

/** Code-point order, the same in both adapters (PostgreSQL sorts with COLLATE "C"). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
