export { createAgentNodes, type AgentDependencies } from './agents.js';
export { cachedModels, modelTasksOf, NODE_TASKS, type AgentModels } from './models.js';
export { inMemoryCallCache, postgresCallCache, type CallKey, type StepCallCache } from './callCache.js';
export { HISTORY_LIMIT } from './nodes/triageNode.js';
export { detectInjection, INJECTION_RULES, type InjectionFinding } from './guardrails/injection.js';
export { withInjectionFinding } from './nodes/moderateNode.js';
export { checkReply, configuredSecrets, redactReply, REPLY_CHECKS, type ReplyCheck, type ReplyCheckContext, type ReplyCheckName, type ReplyFinding, type RequestingCustomer } from './guardrails/output.js';
export {
  amountIn,
  checkPromises,
  findPromises,
  promiseIssues,
  PROMISED_ACTIONS,
  type ActionPromise,
  type PromiseCheck,
  type PromiseCheckContext,
  type PromisedAction,
  type PromisedAmount,
  type PromiseViolation,
  type PromiseViolationReason,
} from './guardrails/promises.js';
export type { QualityGuardrails } from './nodes/qualityNode.js';
