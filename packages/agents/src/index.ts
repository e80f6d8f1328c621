export { createAgentNodes, type AgentDependencies } from './agents.js';
export { cachedModels, modelTasksOf, NODE_TASKS, type AgentModels } from './models.js';
export { inMemoryCallCache, postgresCallCache, type CallKey, type StepCallCache } from './callCache.js';
export { HISTORY_LIMIT } from './nodes/triageNode.js';
export { detectInjection, INJECTION_RULES, type InjectionFinding } from './guardrails/injection.js';
export { withInjectionFinding } from './nodes/moderateNode.js';
