export {
  addMoney,
  allocateMoney,
  assertSameCurrency,
  compareMoney,
  formatAmount,
  formatMoney,
  isZero,
  maxMoney,
  MICROS_PER_UNIT,
  minMoney,
  money,
  moneyEquals,
  moneyFromJson,
  moneyToJson,
  multiplyMoney,
  negateMoney,
  parseMoney,
  percentOf,
  roundMoney,
  splitMoney,
  subtractMoney,
  sumMoney,
  zeroMoney,
  type Money,
  type MoneyJson,
  type ParseMoneyOptions,
  type PercentOptions,
} from './money.js';
export { currencyExponent, minorUnitMicros, normalizeCurrency } from './currencies.js';
export { divideRounded, ROUNDING_MODES, type RoundingMode } from './rounding.js';
export { refundAmount, type DuplicateCharge, type RefundablePayment, type RefundableOrder, type RefundComputation, type RefundReason } from './refund.js';
export { epochDay, prorate, utcDate, type ProratableSubscription, type Proration } from './proration.js';
export {
  compareIds,
  CUSTOMER_STATUSES,
  CUSTOMER_TIERS,
  MAX_ORDERS_LIMIT,
  ORDER_STATUSES,
  PAYMENT_KINDS,
  SUBSCRIPTION_STATUSES,
  type CrmCustomer,
  type CrmDirectory,
  type CrmOrder,
  type CrmOrderLine,
  type CrmPayment,
  type CrmSubscription,
  type CustomerStatus,
  type CustomerTier,
  type OrderStatus,
  type PaymentKind,
  type SubscriptionStatus,
} from './crm.js';
export { inMemoryCrmDirectory, type CrmData } from './crmMemory.js';
export { postgresCrmDirectory } from './crmPostgres.js';
export { OTHER_SAMPLE_TENANT, SAMPLE_TENANTS, sampleCrmData } from './crmSample.js';
export {
  createAgentTools,
  type AgentTools,
  type AgentToolsOptions,
  type Clock,
  type ComputeProrationInput,
  type ComputeProrationResult,
  type ComputeRefundInput,
  type ComputeRefundResult,
  type CustomerOverviewInput,
  type CustomerOverviewResult,
  type LookupOrderInput,
  type LookupOrderResult,
  type ToolFailure,
  type ToolResult,
} from './agentTools.js';
export type { CustomerView, MoneyView, OrderLineView, OrderSummaryView, OrderView, PaymentView, ProrationView, RefundView, SubscriptionView } from './views.js';
