import { toDbError, type Queryable } from '@supportstream/db';
import { PlatformError } from '@supportstream/errors';
import {
  CUSTOMER_STATUSES,
  CUSTOMER_TIERS,
  ORDER_STATUSES,
  PAYMENT_KINDS,
  SUBSCRIPTION_STATUSES,
  type CrmCustomer,
  type CrmDirectory,
  type CrmOrder,
  type CrmOrderLine,
  type CrmPayment,
  type CrmSubscription,
} from './crm.js';
import { checkOrdersLimit } from './crmMemory.js';
import { money } from './money.js';

// bigint columns are selected as text and dates as YYYY-MM-DD text, so the results do not depend
// on pg's global type parsers (int8 → string, date → local-midnight Date) or their overrides.

interface OrderRow {
  tenant_id: string;
  id: string;
  customer_id: string;
  status: string;
  currency: string;
  total_micros: string;
  placed_at: Date;
  delivered_at: Date | null;
}

interface LineRow {
  order_id: string;
  line_no: number;
  sku: string;
  description: string;
  quantity: number;
  unit_price_micros: string;
}

interface CustomerRow {
  tenant_id: string;
  id: string;
  name: string;
  email: string;
  tier: string;
  status: string;
  created_at: Date;
}

interface PaymentRow {
  tenant_id: string;
  id: string;
  order_id: string;
  kind: string;
  amount_micros: string;
  currency: string;
  captured_at: Date;
}

interface SubscriptionRow {
  tenant_id: string;
  id: string;
  customer_id: string;
  plan: string;
  price_micros: string;
  currency: string;
  period_start: string;
  period_end: string;
  status: string;
}

const ORDER_COLUMNS = 'tenant_id, id, customer_id, status, currency, total_micros::text AS total_micros, placed_at, delivered_at';

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new PlatformError('CRM_UNEXPECTED_VALUE', `unexpected ${what} "${value}" in the CRM tables`, { details: { what, value } });
  return found;
}


/**
 * The CRM tables of migration 001_crm. Every query is parameterized and filtered by tenant.
 * `db` is a pool or a client; failures come out as PlatformErrors (retriable when transient).
 */
export function postgresCrmDirectory(db: Queryable): CrmDirectory {
  async function query<R extends object>(what: string, text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await db.query<R & Record<string, unknown>>(text, values)).rows;
    } catch (error) {
      throw toDbError(error, `CRM ${what}`);
    }
  }

  async function withLines(tenantId: string, rows: readonly OrderRow[]): Promise<CrmOrder[]> {
    if (rows.length === 0) return [];
    const lineRows = await query<LineRow>(
      'order lines',
      `SELECT order_id, line_no, sku, description, quantity, unit_price_micros::text AS unit_price_micros
         FROM crm_order_lines WHERE tenant_id = $1 AND order_id = ANY($2::text[]) ORDER BY order_id, line_no`,
      [tenantId, rows.map((row) => row.id)],
    );
    return rows.map((row) => {
      const currency = row.currency;
      const lines: CrmOrderLine[] = lineRows
        .filter((line) => line.order_id === row.id)
        .map((line) => ({ lineNo: line.line_no, sku: line.sku, description: line.description, quantity: line.quantity, unitPrice: money(BigInt(line.unit_price_micros), currency) }));
      return {
        tenantId: row.tenant_id,
        id: row.id,
        customerId: row.customer_id,
        status: oneOf(row.status, ORDER_STATUSES, 'order status'),
        total: money(BigInt(row.total_micros), currency),
        placedAt: row.placed_at,
        deliveredAt: row.delivered_at,
        lines,
      };
    });
  }

  return {
    async findOrder(tenantId, orderId) {
      const rows = await query<OrderRow>('order lookup', `SELECT ${ORDER_COLUMNS} FROM crm_orders WHERE tenant_id = $1 AND id = $2`, [tenantId, orderId]);
      return (await withLines(tenantId, rows))[0];
    },

    async ordersOfCustomer(tenantId, customerId, limit) {
      checkOrdersLimit(limit);
      const rows = await query<OrderRow>(
        'orders of customer',
        `SELECT ${ORDER_COLUMNS} FROM crm_orders WHERE tenant_id = $1 AND customer_id = $2
          ORDER BY placed_at DESC, id COLLATE "C" DESC LIMIT $3`,
        [tenantId, customerId, limit],
      );
      return withLines(tenantId, rows);
    },

    async findCustomer(tenantId, customerId) {
      const rows = await query<CustomerRow>('customer lookup', 'SELECT tenant_id, id, name, email, tier, status, created_at FROM crm_customers WHERE tenant_id = $1 AND id = $2', [tenantId, customerId]);
      const row = rows[0];
      if (row === undefined) return undefined;
      const customer: CrmCustomer = {
        tenantId: row.tenant_id,
        id: row.id,
        name: row.name,
        email: row.email,
        tier: oneOf(row.tier, CUSTOMER_TIERS, 'customer tier'),
        status: oneOf(row.status, CUSTOMER_STATUSES, 'customer status'),
        createdAt: row.created_at,
      };
      return customer;
    },

    async paymentsOfOrder(tenantId, orderId) {
      const rows = await query<PaymentRow>(
        'payments of order',
        `SELECT tenant_id, id, order_id, kind, amount_micros::text AS amount_micros, currency, captured_at
           FROM crm_payments WHERE tenant_id = $1 AND order_id = $2 ORDER BY captured_at, id COLLATE "C"`,
        [tenantId, orderId],
      );
      return rows.map(
        (row): CrmPayment => ({
          tenantId: row.tenant_id,
          id: row.id,
          orderId: row.order_id,
          kind: oneOf(row.kind, PAYMENT_KINDS, 'payment kind'),
          amount: money(BigInt(row.amount_micros), row.currency),
          capturedAt: row.captured_at,
        }),
      );
    },

    async activeSubscription(tenantId, customerId) {
      const rows = await query<SubscriptionRow>(
        'active subscription',
        `SELECT tenant_id, id, customer_id, plan, price_micros::text AS price_micros, currency,
                to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end, status
           FROM crm_subscriptions WHERE tenant_id = $1 AND customer_id = $2 AND status = 'active'
          ORDER BY period_start DESC, id COLLATE "C" DESC LIMIT 1`,
        [tenantId, customerId],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const subscription: CrmSubscription = {
        tenantId: row.tenant_id,
        id: row.id,
        customerId: row.customer_id,
        plan: row.plan,
        price: money(BigInt(row.price_micros), row.currency),
        periodStart: row.period_start,
        periodEnd: row.period_end,
        status: oneOf(row.status, SUBSCRIPTION_STATUSES, 'subscription status'),
      };
      return subscription;
    },
  };
}
