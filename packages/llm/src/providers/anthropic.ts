import { z } from 'zod';
import { ProviderUnavailableError } from '../errors.js';
import type { ChatModel, ChatOptions, ChatRequest, ChatResponse, FinishReason } from '../port.js';
import { postJson, trimSlash, type FetchLike } from './http.js';

export interface AnthropicOptions {
  /** The provider's configured name (pricing and metrics key); default `anthropic`. */
  readonly name?: string;
  /** Default `https://api.anthropic.com`; the adapter appends `/v1/messages`. */
  readonly baseUrl?: string;
  readonly apiKey?: string | undefined;
  readonly model: string;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

export const ANTHROPIC_VERSION = '2023-06-01';

const responseSchema = z.object({
  model: z.string().optional(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullable().optional(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).partial().optional(),
});

const FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/**
 * Anthropic Messages API (`POST {baseUrl}/v1/messages`). System messages become the top-level
 * `system` field; the rest are sent as text content blocks. There is no JSON mode: the prompt
 * asks for JSON and the answer is validated like every other provider's.
 */
export function createAnthropicChatModel(options: AnthropicOptions): ChatModel {
  const provider = options.name ?? 'anthropic';
  const url = `${trimSlash(options.baseUrl ?? 'https://api.anthropic.com')}/v1/messages`;
  return {
    provider,
    model: options.model,
    async complete(request: ChatRequest, callOptions: ChatOptions = {}): Promise<ChatResponse> {
      const system = request.messages.filter((message) => message.role === 'system').map((message) => message.content);
      const body = {
        model: options.model,
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
        messages: request.messages
          .filter((message) => message.role !== 'system')
          .map((message) => ({ role: message.role, content: [{ type: 'text', text: message.content }] })),
      };
      const answer = await postJson({
        provider,
        url,
        headers: { 'anthropic-version': ANTHROPIC_VERSION, ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}) },
        body,
        timeoutMs: options.timeoutMs ?? 60_000,
        signal: callOptions.signal,
        fetch: options.fetch,
      });
      const parsed = responseSchema.safeParse(answer);
      if (!parsed.success) throw new ProviderUnavailableError(`${provider}: unexpected messages response shape: ${parsed.error.message}`, { details: { provider } });
      const text = parsed.data.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text ?? '')
        .join('');
      return {
        content: text,
        usage: { promptTokens: parsed.data.usage?.input_tokens ?? 0, completionTokens: parsed.data.usage?.output_tokens ?? 0 },
        model: parsed.data.model ?? options.model,
        finishReason: FINISH[parsed.data.stop_reason ?? ''] ?? 'other',
      };
    },
  };
}
