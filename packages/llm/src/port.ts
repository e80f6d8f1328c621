import type { TaskInput, TaskName } from './tasks.js';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

export interface ChatRequest<T extends TaskName = TaskName> {
  readonly task: T;
  /**
   * The validated task input. Language-model adapters ignore it and send `messages`; the offline
   * provider computes its answer from `task` + `input`.
   */
  readonly input: TaskInput<T>;
  /** Rendered from the system prompt and the task's template. */
  readonly messages: readonly ChatMessage[];
  readonly temperature: number;
  readonly maxTokens: number;
  /** Ask for a JSON object (OpenAI `response_format`); every answer is validated anyway. */
  readonly json: boolean;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

export interface ChatResponse {
  readonly content: string;
  readonly usage: TokenUsage;
  /** The model that answered, as the provider reports it (may carry a version suffix). */
  readonly model: string;
  readonly finishReason: FinishReason;
}

export interface ChatOptions {
  readonly signal?: AbortSignal;
}

/** The provider port. Adapters: OpenAI-compatible, Anthropic, offline; plus the resilient wrapper. */
export interface ChatModel {
  /** The provider's configured name (e.g. `openai`, `ollama`, `offline`), used for pricing and metrics. */
  readonly provider: string;
  readonly model: string;
  complete(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens };
}
