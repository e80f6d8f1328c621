import type { CrmCustomer, CrmOrder, CrmOrderLine, CrmPayment, CrmSubscription, CustomerTier, OrderStatus, PaymentKind, SubscriptionStatus } from './crm.js';
import type { CrmData } from './crmMemory.js';
import { money } from './money.js';

// The seed of packages/db/migrations/001_crm.sql, for the in-memory directory. The tools'
// integration test compares both record by record, so a change to one shows up as a failure.

/** Tenants seeded with the same data: tests use `tenant-a`, the demo `demo-tenant`. */
export const SAMPLE_TENANTS = ['tenant-a', 'demo-tenant'] as const;
/** Reuses the ids cust-42 and 1001 for other data, to show tenant isolation. */
export const OTHER_SAMPLE_TENANT = 'tenant-b';

type Line = readonly [sku: string, description: string, quantity: number, unitPriceMicros: bigint];

const CUSTOMERS: readonly (readonly [string, string, string, CustomerTier, 'active' | 'closed', string])[] = [
  ['cust-42', 'Ada Lovelace', 'ada.lovelace@example.invalid', 'VIP', 'active', '2023-03-14T10:00:00Z'],
  ['cust-7', 'Grace Hopper', 'grace.hopper@example.invalid', 'STANDARD', 'active', '2024-06-01T08:30:00Z'],
  ['cust-8', 'Alan Turing', 'alan.turing@example.invalid', 'PREMIUM', 'active', '2025-02-11T16:45:00Z'],
  ['cust-9', 'Edsger Dijkstra', 'edsger.dijkstra@example.invalid', 'STANDARD', 'closed', '2022-05-30T12:00:00Z'],
];

const ORDERS: readonly (readonly [string, string, OrderStatus, string, bigint, string, string | null, readonly Line[]])[] = [
  ['1001', 'cust-42', 'paid', 'EUR', 49_990_000n, '2026-11-02T09:12:00Z', null, [['HP-200', 'Wireless headphones', 1, 49_990_000n]]],
  [
    '1002',
    'cust-42',
    'delivered',
    'EUR',
    129_000_000n,
    '2026-10-20T14:05:00Z',
    '2026-10-23T11:20:00Z',
    [
      ['CBL-USB-C', 'USB-C cable', 2, 39_500_000n],
      ['STD-01', 'Desk stand', 1, 50_000_000n],
    ],
  ],
  ['1003', 'cust-42', 'shipped', 'EUR', 24_900_000n, '2026-11-18T17:40:00Z', null, [['CSE-11', 'Phone case', 1, 24_900_000n]]],
  ['1004', 'cust-7', 'refunded', 'EUR', 19_990_000n, '2026-09-05T12:00:00Z', '2026-09-08T10:00:00Z', [['BK-101', 'Paperback', 1, 19_990_000n]]],
  ['1005', 'cust-7', 'delivered', 'EUR', 100_000_000n, '2026-10-01T08:00:00Z', '2026-10-04T09:30:00Z', [['MUG-2', 'Mug', 4, 25_000_000n]]],
  ['1006', 'cust-8', 'cancelled', 'GBP', 15_000_000n, '2026-11-10T19:00:00Z', null, [['GFT-15', 'Gift card', 1, 15_000_000n]]],
  ['1007', 'cust-8', 'placed', 'JPY', 1_500_000_000n, '2026-11-20T07:15:00Z', null, [['TEA-G', 'Green tea', 3, 500_000_000n]]],
];

const PAYMENTS: readonly (readonly [string, string, PaymentKind, bigint, string, string])[] = [
  ['pay-1001-a', '1001', 'charge', 49_990_000n, 'EUR', '2026-11-02T09:12:31Z'],
  ['pay-1001-b', '1001', 'charge', 49_990_000n, 'EUR', '2026-11-02T09:12:33Z'],
  ['pay-1002-a', '1002', 'charge', 129_000_000n, 'EUR', '2026-10-20T14:05:40Z'],
  ['pay-1003-a', '1003', 'charge', 24_900_000n, 'EUR', '2026-11-18T17:40:22Z'],
  ['pay-1004-a', '1004', 'charge', 19_990_000n, 'EUR', '2026-09-05T12:00:10Z'],
  ['pay-1004-r', '1004', 'refund', 19_990_000n, 'EUR', '2026-09-20T09:00:00Z'],
  ['pay-1005-a', '1005', 'charge', 100_000_000n, 'EUR', '2026-10-01T08:00:05Z'],
  ['pay-1005-r', '1005', 'refund', 25_000_000n, 'EUR', '2026-10-10T15:30:00Z'],
];

const SUBSCRIPTIONS: readonly (readonly [string, string, string, bigint, string, string, string, SubscriptionStatus])[] = [
  ['sub-42', 'cust-42', 'premium-monthly', 29_990_000n, 'EUR', '2026-11-01', '2026-12-01', 'active'],
  ['sub-42-oct', 'cust-42', 'premium-monthly', 29_990_000n, 'EUR', '2026-10-01', '2026-11-01', 'expired'],
  ['sub-8', 'cust-8', 'basic-annual', 120_000_000n, 'GBP', '2026-06-01', '2027-06-01', 'active'],
  ['sub-7', 'cust-7', 'basic-monthly', 9_990_000n, 'EUR', '2026-08-01', '2026-09-01', 'cancelled'],
];

function lines(currency: string, specs: readonly Line[]): CrmOrderLine[] {
  return specs.map(([sku, description, quantity, unitPrice], index) => ({ lineNo: index + 1, sku, description, quantity, unitPrice: money(unitPrice, currency) }));
}

function tenantData(tenantId: string): CrmData {
  const customers: CrmCustomer[] = CUSTOMERS.map(([id, name, email, tier, status, createdAt]) => ({ tenantId, id, name, email, tier, status, createdAt: new Date(createdAt) }));
  const orders: CrmOrder[] = ORDERS.map(([id, customerId, status, currency, total, placedAt, deliveredAt, orderLines]) => ({
    tenantId,
    id,
    customerId,
    status,
    total: money(total, currency),
    placedAt: new Date(placedAt),
    deliveredAt: deliveredAt === null ? null : new Date(deliveredAt),
    lines: lines(currency, orderLines),
  }));
  const payments: CrmPayment[] = PAYMENTS.map(([id, orderId, kind, amount, currency, capturedAt]) => ({ tenantId, id, orderId, kind, amount: money(amount, currency), capturedAt: new Date(capturedAt) }));
  const subscriptions: CrmSubscription[] = SUBSCRIPTIONS.map(([id, customerId, plan, price, currency, periodStart, periodEnd, status]) => ({
    tenantId,
    id,
    customerId,
    plan,
    price: money(price, currency),
    periodStart,
    periodEnd,
    status,
  }));
  return { customers, orders, payments, subscriptions };
}

/** The sample CRM of migration 001_crm, as data for `inMemoryCrmDirectory`. A fresh copy on each call. */
export function sampleCrmData(): CrmData {
  const tenants = SAMPLE_TENANTS.map(tenantData);
  const other = OTHER_SAMPLE_TENANT;
  return {
    customers: [
      ...tenants.flatMap((data) => data.customers),
      { tenantId: other, id: 'cust-42', name: 'Bruno Diaz', email: 'bruno.diaz@example.invalid', tier: 'STANDARD', status: 'active', createdAt: new Date('2025-01-05T09:00:00Z') },
    ],
    orders: [
      ...tenants.flatMap((data) => data.orders),
      {
        tenantId: other,
        id: '1001',
        customerId: 'cust-42',
        status: 'delivered',
        total: money(15_000_000n, 'USD'),
        placedAt: new Date('2026-08-14T13:00:00Z'),
        deliveredAt: new Date('2026-08-16T10:00:00Z'),
        lines: lines('USD', [['NB-A5', 'Notebook', 3, 5_000_000n]]),
      },
    ],
    payments: [
      ...tenants.flatMap((data) => data.payments),
      { tenantId: other, id: 'pay-b-1001', orderId: '1001', kind: 'charge', amount: money(15_000_000n, 'USD'), capturedAt: new Date('2026-08-14T13:00:09Z') },
    ],
    subscriptions: tenants.flatMap((data) => data.subscriptions),
  };
}
