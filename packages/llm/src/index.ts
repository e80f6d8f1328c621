export {
  TASKS,
  TASK_NAMES,
  isTaskName,
  categorySchema,
  customerTierSchema,
  draftInputSchema,
  draftOutputSchema,
  moderateInputSchema,
  moderateOutputSchema,
  prioritySchema,
  reviewInputSchema,
  reviewOutputSchema,
  sentimentSchema,
  sourceSchema,
  triageInputSchema,
  triageOutputSchema,
  type Category,
  type CustomerTier,
  type DraftInput,
  type DraftOutput,
  type ModerateInput,
  type ModerateOutput,
  type Priority,
  type ReviewInput,
  type ReviewOutput,
  type Sentiment,
  type Source,
  type TaskInput,
  type TaskName,
  type TaskOutput,
  type TriageInput,
  type TriageOutput,
} from './tasks.js';
export { addUsage, type ChatMessage, type ChatModel, type ChatOptions, type ChatRequest, type ChatResponse, type ChatRole, type FinishReason, type TokenUsage } from './port.js';
export {
  CircuitOpenError,
  LlmConfigError,
  LlmTimeoutError,
  ProviderRequestError,
  ProviderUnavailableError,
  RateLimitError,
  StructuredOutputError,
  TaskInputError,
} from './errors.js';
export { runTask, parseOutput, extractJson, type RunTaskOptions, type RunTaskResult, type TaskSettings } from './runTask.js';
export { buildMessages, renderTemplate, fencedInput, outputJsonSchema, DEFAULT_TEMPLATES, DEFAULT_SYSTEM_PROMPT, type PromptSettings, type PromptValues } from './prompts.js';
export { DEFAULT_CANARY, deriveCanary, fence, fenceRule, fencedBlocks, neutralise, outsideFences, FENCE_TAG, type FencedBlock, type UntrustedKind } from './fence.js';
export { costOf, findPrice, addMoney, DEFAULT_PRICES, type Cost, type ModelPrice, type Money, type PriceTable } from './pricing.js';
export { withResilience, RESILIENCE_DEFAULTS, type ResilienceOptions, type ResilientChatModel } from './resilient.js';
export { createCircuitBreaker, defaultClassify, type CircuitBreaker, type CircuitBreakerOptions, type CircuitState, type FailureKind } from './circuitBreaker.js';
export { createOpenAiCompatibleChatModel, type OpenAiCompatibleOptions } from './providers/openAiCompatible.js';
export { createAnthropicChatModel, ANTHROPIC_VERSION, type AnthropicOptions } from './providers/anthropic.js';
export { createOfflineChatModel, estimateTokens, OFFLINE_MODEL, type OfflineOptions } from './providers/offline.js';
export { parseRetryAfter, type FetchLike } from './providers/http.js';
export {
  ALL_TENANTS,
  InMemoryAgentSettingsStore,
  mergeAgentSettings,
  type AgentSettings,
  type AgentSettingsRow,
  type AgentSettingsStore,
  type InMemoryConfig,
  type PromptTemplate,
  type ProviderConfig,
  type ProviderKind,
} from './settings.js';
export { PgAgentSettingsStore, type PgAgentSettingsStoreOptions, type Queryable } from './configStore.js';
export { createChatModel, createModelResolver, type CreateChatModelOptions, type Env, type ModelResolver, type ModelResolverOptions, type ResolvedAgent, type RunContext } from './factory.js';
export { createLlmMetrics, type CircuitSource, type LlmCallLabels, type LlmCallObservation, type LlmMetrics } from './metrics.js';
