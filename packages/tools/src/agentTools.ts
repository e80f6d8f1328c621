import { InvalidInputError } from '@supportstream/errors';
import type { CrmDirectory } from './crm.js';
import { customerFact, oneLine, orderFact, prorationFact, refundFact } from './facts.js';
import { parseMoney } from './money.js';
import { prorate } from './proration.js';
import { refundAmount } from './refund.js';
import { MAX_ID_LENGTH, type ComputeProrationInput, type ComputeRefundInput, type CustomerOverviewInput, type LookupOrderInput } from './toolArguments.js';
import {
  customerView,
  orderSummaryView,
  orderView,
  paymentView,
  prorationView,
  refundView,
  subscriptionView,
  type CustomerView,
  type OrderSummaryView,
  type OrderView,
  type PaymentView,
  type ProrationView,
  type RefundView,
  type SubscriptionView,
} from './views.js';

export type Clock = () => Date;

export interface AgentToolsOptions {
  readonly crm: CrmDirectory;
  /** For "now": the default cancellation date and days since delivery. Default: the system clock. */
  readonly clock?: Clock;
}

/** An expected miss, returned (not thrown) so the agent can say so or ask again. */
export type ToolFailure =
  | { readonly status: 'not_found'; readonly entity: 'order' | 'customer' | 'subscription'; readonly id: string; readonly fact: string }
  | { readonly status: 'invalid_input'; readonly code: string; readonly message: string; readonly fact: string };

/** Plain JSON (no bigint, no Date) with a one-line `fact` for the prompt. */
export type ToolResult<T> = ({ readonly status: 'ok'; readonly fact: string } & T) | ToolFailure;

// The tools' input types are inferred from their argument schemas (toolArguments.ts), which the
// allowlist also validates every call against: one declaration of each shape.
export type { ComputeProrationInput, ComputeRefundInput, CustomerOverviewInput, LookupOrderInput } from './toolArguments.js';

export type LookupOrderResult = ToolResult<{ readonly order: OrderView; readonly payments: readonly PaymentView[]; readonly refund: RefundView }>;
export type CustomerOverviewResult = ToolResult<{ readonly customer: CustomerView; readonly recentOrders: readonly OrderSummaryView[]; readonly subscription: SubscriptionView | null }>;
export type ComputeRefundResult = ToolResult<{ readonly orderId: string; readonly refund: RefundView }>;
export type ComputeProrationResult = ToolResult<{ readonly subscription: SubscriptionView; readonly proration: ProrationView }>;

export interface AgentTools {
  lookupOrder(input: LookupOrderInput): Promise<LookupOrderResult>;
  customerOverview(input: CustomerOverviewInput): Promise<CustomerOverviewResult>;
  computeRefund(input: ComputeRefundInput): Promise<ComputeRefundResult>;
  computeProration(input: ComputeProrationInput): Promise<ComputeProrationResult>;
}

function requireId(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0 || text.length > MAX_ID_LENGTH) {
    throw new InvalidInputError('TOOL_INVALID_INPUT', `${field} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, { details: { field } });
  }
  return text;
}

function orderIdOf(value: unknown): string {
  return requireId(value, 'orderId').replace(/^#\s*/, '');
}

function notFound(entity: 'order' | 'customer' | 'subscription', id: string, fact: string): ToolFailure {
  return { status: 'not_found', entity, id, fact: oneLine(fact) };
}

/** Bad input from the model becomes a result it can read; store failures still throw (and are retried). */
async function guarded<T>(run: () => Promise<ToolResult<T>>): Promise<ToolResult<T>> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return { status: 'invalid_input', code: error.code, message: error.message, fact: oneLine(`Invalid tool input: ${error.message}`) };
    }
    throw error;
  }
}

/**
 * The CRM and money tools agents call. Every result is plain JSON with a one-line `fact`; an
 * unknown order, customer or subscription is a `not_found` result, bad input `invalid_input`.
 * All lookups are scoped to `tenantId`.
 */
export function createAgentTools(options: AgentToolsOptions): AgentTools {
  const { crm } = options;
  const clock = options.clock ?? (() => new Date());

  async function loadOrder(input: LookupOrderInput) {
    const tenantId = requireId(input.tenantId, 'tenantId');
    const orderId = orderIdOf(input.orderId);
    const customerId = input.customerId === undefined ? undefined : requireId(input.customerId, 'customerId');
    const order = await crm.findOrder(tenantId, orderId);
    // Another customer's order is "not found" too: a conversation must not learn that it exists.
    if (order === undefined || (customerId !== undefined && order.customerId !== customerId)) {
      return { orderId, order: undefined, payments: [] } as const;
    }
    return { orderId, order, payments: await crm.paymentsOfOrder(tenantId, orderId) } as const;
  }

  return {
    lookupOrder: (input) =>
      guarded(async () => {
        const { orderId, order, payments } = await loadOrder(input);
        if (order === undefined) return notFound('order', orderId, `Order ${orderId} was not found${input.customerId === undefined ? '' : ` for customer ${input.customerId}`}`);
        const refund = refundAmount({ total: order.total, payments });
        const view = orderView(order, clock());
        return { status: 'ok', order: view, payments: payments.map(paymentView), refund: refundView(refund), fact: orderFact(order, payments, refund, view.daysSinceDelivery) };
      }),

    customerOverview: (input) =>
      guarded(async () => {
        const tenantId = requireId(input.tenantId, 'tenantId');
        const customerId = requireId(input.customerId, 'customerId');
        const limit = input.recentOrders ?? 5;
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 20) throw new InvalidInputError('TOOL_INVALID_INPUT', 'recentOrders must be an integer from 1 to 20');
        const customer = await crm.findCustomer(tenantId, customerId);
        if (customer === undefined) return notFound('customer', customerId, `Customer ${customerId} was not found`);
        const [orders, subscription] = await Promise.all([crm.ordersOfCustomer(tenantId, customerId, limit), crm.activeSubscription(tenantId, customerId)]);
        return {
          status: 'ok',
          customer: customerView(customer),
          recentOrders: orders.map(orderSummaryView),
          subscription: subscription === undefined ? null : subscriptionView(subscription),
          fact: customerFact(customer, orders, subscription),
        };
      }),

    computeRefund: (input) =>
      guarded(async () => {
        const { orderId, order, payments } = await loadOrder(input);
        if (order === undefined) return notFound('order', orderId, `Order ${orderId} was not found${input.customerId === undefined ? '' : ` for customer ${input.customerId}`}`);
        const requested = input.amount === undefined ? undefined : parseMoney(input.amount, order.total.currency);
        const refund = refundAmount({ total: order.total, payments }, requested);
        return { status: 'ok', orderId: order.id, refund: refundView(refund), fact: refundFact(order.id, refund) };
      }),

    computeProration: (input) =>
      guarded(async () => {
        const tenantId = requireId(input.tenantId, 'tenantId');
        const customerId = requireId(input.customerId, 'customerId');
        const subscription = await crm.activeSubscription(tenantId, customerId);
        if (subscription === undefined) return notFound('subscription', customerId, `Customer ${customerId} has no active subscription`);
        const proration = prorate(subscription, input.cancelAt ?? clock());
        return { status: 'ok', subscription: subscriptionView(subscription), proration: prorationView(proration), fact: prorationFact(subscription, proration) };
      }),
  };
}
