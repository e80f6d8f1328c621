import { z } from 'zod';
import { ProviderUnavailableError } from '../errors.js';
import type { ChatModel, ChatOptions, ChatRequest, ChatResponse, FinishReason } from '../port.js';
import { postJson, trimSlash, type FetchLike } from './http.js';

export interface OpenAiCompatibleOptions {
  /** The provider's configured name (pricing and metrics key); default `openai`. */
  readonly name?: string;
  /** e.g. `https://api.openai.com/v1`, vLLM `http://host:8000/v1`, Ollama `http://127.0.0.1:11434/v1`, LM Studio `http://127.0.0.1:1234/v1`. */
  readonly baseUrl?: string;
  /** Sent as `Authorization: Bearer …` when given; Ollama and LM Studio need none. */
  readonly apiKey?: string | undefined;
  readonly model: string;
  /** Send `response_format: {type: 'json_object'}` for JSON tasks; turn off for servers that reject it. */
  readonly jsonMode?: boolean;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

const responseSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).partial().optional(),
});

const FINISH: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
};

/** Chat Completions (`POST {baseUrl}/chat/completions`): OpenAI, vLLM, Ollama, LM Studio and the like. */
export function createOpenAiCompatibleChatModel(options: OpenAiCompatibleOptions): ChatModel {
  const provider = options.name ?? 'openai';
  const url = `${trimSlash(options.baseUrl ?? 'https://api.openai.com/v1')}/chat/completions`;
  const jsonMode = options.jsonMode ?? true;
  return {
    provider,
    model: options.model,
    async complete(request: ChatRequest, callOptions: ChatOptions = {}): Promise<ChatResponse> {
      const body = {
        model: options.model,
        messages: request.messages.map(({ role, content }) => ({ role, content })),
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        ...(request.json && jsonMode ? { response_format: { type: 'json_object' } } : {}),
      };
      const answer = await postJson({
        provider,
        url,
        headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
        body,
        timeoutMs: options.timeoutMs ?? 60_000,
        signal: callOptions.signal,
        fetch: options.fetch,
      });
      const parsed = responseSchema.safeParse(answer);
      if (!parsed.success) throw new ProviderUnavailableError(`${provider}: unexpected chat completion shape: ${parsed.error.message}`, { details: { provider } });
      const choice = parsed.data.choices[0];
      const refused = typeof choice?.message.refusal === 'string' && choice.message.refusal !== '';
      return {
        content: choice?.message.content ?? '',
        usage: { promptTokens: parsed.data.usage?.prompt_tokens ?? 0, completionTokens: parsed.data.usage?.completion_tokens ?? 0 },
        model: parsed.data.model ?? options.model,
        finishReason: refused ? 'content_filter' : (FINISH[choice?.finish_reason ?? ''] ?? 'other'),
      };
    },
  };
}
