import { InvalidInputError } from '@supportstream/errors';
import { compareIds, MAX_ORDERS_LIMIT, type CrmCustomer, type CrmDirectory, type CrmOrder, type CrmPayment, type CrmSubscription } from './crm.js';

export interface CrmData {
  readonly customers: readonly CrmCustomer[];
  readonly orders: readonly CrmOrder[];
  readonly payments: readonly CrmPayment[];
  readonly subscriptions: readonly CrmSubscription[];
}

export function checkOrdersLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_ORDERS_LIMIT) {
    throw new InvalidInputError('CRM_INVALID_LIMIT', `limit must be an integer from 1 to ${MAX_ORDERS_LIMIT}, got ${limit}`, { details: { limit } });
  }
}

/** Errors come out as a rejected promise, as from the PostgreSQL adapter. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

const newestFirst = (a: CrmOrder, b: CrmOrder) => b.placedAt.getTime() - a.placedAt.getTime() || compareIds(b.id, a.id);

/** The in-memory twin of the PostgreSQL adapter: same contract, data given up front. */
export function inMemoryCrmDirectory(data: CrmData): CrmDirectory {
  const ofTenant = <T extends { readonly tenantId: string }>(records: readonly T[], tenantId: string) => records.filter((record) => record.tenantId === tenantId);
  return {
    findOrder(tenantId, orderId) {
      return attempt(() => ofTenant(data.orders, tenantId).find((order) => order.id === orderId));
    },
    ordersOfCustomer(tenantId, customerId, limit) {
      return attempt(() => {
        checkOrdersLimit(limit);
        return ofTenant(data.orders, tenantId)
          .filter((order) => order.customerId === customerId)
          .sort(newestFirst)
          .slice(0, limit);
      });
    },
    findCustomer(tenantId, customerId) {
      return attempt(() => ofTenant(data.customers, tenantId).find((customer) => customer.id === customerId));
    },
    paymentsOfOrder(tenantId, orderId) {
      return attempt(() =>
        ofTenant(data.payments, tenantId)
          .filter((payment) => payment.orderId === orderId)
          .sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || compareIds(a.id, b.id)),
      );
    },
    activeSubscription(tenantId, customerId) {
      return attempt(
        () =>
          ofTenant(data.subscriptions, tenantId)
            .filter((subscription) => subscription.customerId === customerId && subscription.status === 'active')
            .sort((a, b) => compareIds(b.periodStart, a.periodStart) || compareIds(b.id, a.id))[0],
      );
    },
  };
}
