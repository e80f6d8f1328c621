import type { z } from 'zod';
import { TaskInputError } from '../errors.js';
import { draft } from '../offline/draft.js';
import { moderate } from '../offline/moderate.js';
import { review } from '../offline/review.js';
import { triage } from '../offline/triage.js';
import type { ChatModel, ChatOptions, ChatRequest, ChatResponse } from '../port.js';
import { TASKS, type TaskName, type TaskOutput } from '../tasks.js';

export const OFFLINE_MODEL = 'heuristic-v1';

/**
 * A token estimate for a model that has no tokenizer: one token per four characters, rounded up
 * (the usual rule of thumb for English text with GPT-style tokenizers).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface OfflineOptions {
  readonly name?: string;
  readonly model?: string;
  /**
   * Simulated model latency per call (default 0). For load, benchmark and crash tests that need
   * steps to take as long as a real model's would; the answer itself does not change.
   */
  readonly latencyMs?: number;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The offline provider: not a language model. It answers each task with deterministic,
 * documented heuristics (see the package README) computed from the task input, and returns the
 * answer as JSON text so that it goes through the same parse and validate path as every model.
 */
export function createOfflineChatModel(options: OfflineOptions = {}): ChatModel {
  return {
    provider: options.name ?? 'offline',
    model: options.model ?? OFFLINE_MODEL,
    async complete(request: ChatRequest, callOptions: ChatOptions = {}): Promise<ChatResponse> {
      callOptions.signal?.throwIfAborted();
      const content = JSON.stringify(answer(request.task, request.input));
      const prompt = request.messages.map((message) => message.content).join('\n');
      await delay(options.latencyMs ?? 0, callOptions.signal);
      return {
        content,
        usage: { promptTokens: estimateTokens(prompt), completionTokens: estimateTokens(content) },
        model: options.model ?? OFFLINE_MODEL,
        finishReason: 'stop',
      };
    },
  };
}

export function answer(task: TaskName, input: unknown): TaskOutput {
  switch (task) {
    case 'moderate':
      return moderate(parse(task, TASKS.moderate.input, input));
    case 'triage':
      return triage(parse(task, TASKS.triage.input, input));
    case 'draft':
      return draft(parse(task, TASKS.draft.input, input));
    case 'review':
      return review(parse(task, TASKS.review.input, input));
  }
}

function parse<S extends z.ZodType>(task: TaskName, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new TaskInputError(`offline ${task}: invalid input: ${result.error.message}`, { cause: result.error });
  return result.data;
}
