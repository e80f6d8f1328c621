import { maskDeep } from '@supportstream/privacy/mask';
import type { z } from 'zod';
import { StructuredOutputError, TaskInputError } from './errors.js';
import { addUsage, type ChatMessage, type ChatModel, type ChatResponse, type TokenUsage } from './port.js';
import { costOf, DEFAULT_PRICES, findPrice, type Money, type PriceTable } from './pricing.js';
import { buildMessages, type PromptSettings } from './prompts.js';
import { TASKS, type TaskInput, type TaskName, type TaskOutput } from './tasks.js';

/** What a task call needs from the agent settings (an AgentSettings row fits). */
export interface TaskSettings extends PromptSettings {
  readonly temperature: number;
  readonly maxTokens: number;
}

export interface RunTaskOptions {
  readonly signal?: AbortSignal;
  readonly prices?: PriceTable;
  /** Monotonic milliseconds for the latency; default performance.now. */
  readonly now?: () => number;
  /**
   * Personal data in the input (cards, IBANs, e-mail addresses, phone numbers, national ids,
   * addresses) replaced by placeholders such as `[card ••••4242]` before the prompt is built and
   * the model is called (default true): no provider, external or in-process, receives it in clear.
   * The model answers about the placeholder; the platform keeps the clear text where it needs it.
   */
  readonly maskPersonalData?: boolean;
}

export interface RunTaskResult<T extends TaskName> {
  readonly output: TaskOutput<T>;
  /** Summed over all calls, the repair attempt included. */
  readonly usage: TokenUsage;
  readonly cost: Money;
  /** False when the model is not in the price table (the cost is then 0). */
  readonly priced: boolean;
  readonly latencyMs: number;
  readonly provider: string;
  /** The model that answered, as the provider reports it. */
  readonly model: string;
  /** Model calls made: 1, or 2 after a repair attempt. */
  readonly attempts: number;
}

/**
 * Runs one task: validates the input, renders the prompt, calls the model, parses the JSON
 * answer (code fences and surrounding prose tolerated) and validates it against the task's
 * output schema. An invalid answer gets one repair attempt that shows the model its errors;
 * a second invalid answer fails with a non-retriable StructuredOutputError.
 */
export async function runTask<T extends TaskName>(
  model: ChatModel,
  task: T,
  input: TaskInput<T>,
  settings: TaskSettings,
  options: RunTaskOptions = {},
): Promise<RunTaskResult<T>> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const parsedInput = TASKS[task].input.safeParse(options.maskPersonalData === false ? input : maskDeep(input));
  if (!parsedInput.success) throw new TaskInputError(`${task}: invalid input: ${formatIssues(parsedInput.error)}`, { cause: parsedInput.error });

  const messages = buildMessages(task, parsedInput.data, settings);
  const call = (conversation: readonly ChatMessage[]): Promise<ChatResponse> =>
    model.complete(
      { task, input: parsedInput.data, messages: conversation, temperature: settings.temperature, maxTokens: settings.maxTokens, json: true },
      options.signal ? { signal: options.signal } : {},
    );

  let response = await call(messages);
  let usage = response.usage;
  let attempts = 1;
  let result = parseOutput(task, response.content);
  if (!result.ok) {
    attempts = 2;
    const repair: ChatMessage[] = [
      ...messages,
      { role: 'assistant', content: response.content },
      { role: 'user', content: `Your answer was not valid: ${result.error}\nAnswer again with one JSON object only that matches the schema.` },
    ];
    response = await call(repair);
    usage = addUsage(usage, response.usage);
    result = parseOutput(task, response.content);
    if (!result.ok) {
      throw new StructuredOutputError(`${task}: ${model.provider}/${response.model} gave no valid answer after a repair attempt: ${result.error}`, {
        details: { task, provider: model.provider, model: response.model, errors: result.error, content: response.content.slice(0, 500) },
      });
    }
  }

  const prices = options.prices ?? DEFAULT_PRICES;
  // Price by the reported (often versioned) model name; fall back to the configured one.
  const pricedModel = findPrice(prices, model.provider, response.model) ? response.model : model.model;
  const { cost, priced } = costOf(usage, model.provider, pricedModel, prices);
  return { output: result.value as TaskOutput<T>, usage, cost, priced, latencyMs: Math.max(0, Math.round(now() - started)), provider: model.provider, model: response.model, attempts };
}

type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export function parseOutput(task: TaskName, content: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(extractJson(content));
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const result = TASKS[task].output.safeParse(json);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: formatIssues(result.error) };
}

/** The JSON object in a model's answer: inside ```json fences, or from the first `{` to the last `}`. */
export function extractJson(content: string): string {
  const trimmed = content.trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  const body = (fenced?.[1] ?? trimmed).trim();
  const first = body.indexOf('{');
  const last = body.lastIndexOf('}');
  return first >= 0 && last > first ? body.slice(first, last + 1) : body;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}
