import { z } from 'zod';
import { LlmConfigError } from './errors.js';
import type { ChatMessage } from './port.js';
import { TASKS, type TaskName } from './tasks.js';

/**
 * Prompt rendering. A template is text with `{{placeholders}}`: `{{task}}`, `{{tone}}`,
 * `{{schema}}` (the output JSON Schema), `{{input}}` (the whole input as JSON) and
 * `{{input.path}}` (one field: strings as they are, anything else as JSON). An unknown
 * placeholder is a configuration error. If a template does not show `{{schema}}` itself, the
 * instruction to answer with JSON matching the schema is appended, so an edited template
 * cannot switch structured output off.
 */

export const DEFAULT_TEMPLATES: Readonly<Record<TaskName, string>> = {
  moderate: `Decide whether this customer message must be blocked before anyone works on it.
Block threats and abuse aimed at a person (insults, harassment, threats of violence).
Allow complaints and anger about a product or the service, strong words included.

Message (JSON):
{{input}}`,
  triage: `Classify this customer support request.
- category: billing, refund, shipping, account, technical, legal or other
- priority: low, normal, high or urgent (a legal threat is urgent; a VIP customer is at least high)
- sentiment: positive, neutral or negative; language: the BCP 47 primary tag of the message
- intent: short snake_case, e.g. request_refund, track_order, how_to
- confidence: 0 to 1
- signals: any of legal_threat, account_closure, refund_request, chargeback_threat, urgent, repeat_contact
- refundAmount: the amount the customer wants back, in micros (millionths) with an ISO 4217 currency, or null
- orderId: the order number mentioned, or null

Request (JSON):
{{input}}`,
  draft: `Write the reply to the customer, in the language of their message and in this tone: {{tone}}.
Use only the facts and the sources given. Put the ids of the sources you used in "citations".
Never promise an outcome, and never commit to a refund that the facts do not confirm.
If the sources do not answer the question, say that a colleague will follow up, with a low confidence.
If previousIssues is not empty, fix every issue it lists.

Input (JSON):
{{input}}`,
  review: `Review this draft reply before it is sent to the customer. Check that it answers the message,
that every citation is one of the sources and the reply is supported by what it cites,
that it commits to no refund unless a fact confirms one, that it promises nothing unchecked,
and that it is polite, concise and in the customer's language.
score: 0 to 1; issues: short strings, each starting with a snake_case code; verdict: pass if score >= 0.7, else revise.

Input (JSON):
{{input}}`,
};

export const DEFAULT_SYSTEM_PROMPT = 'You are a careful customer support assistant. You answer with JSON only.';

const JSON_INSTRUCTION = 'Answer with one JSON object only, without prose or code fences, matching this JSON Schema:\n{{schema}}';

const schemaCache = new Map<TaskName, string>();

export function outputJsonSchema(task: TaskName): string {
  let schema = schemaCache.get(task);
  if (schema === undefined) {
    schema = JSON.stringify(z.toJSONSchema(TASKS[task].output));
    schemaCache.set(task, schema);
  }
  return schema;
}

export interface PromptValues {
  readonly task: TaskName;
  readonly input: unknown;
  readonly tone?: string | undefined;
}

export function renderTemplate(template: string, values: PromptValues): string {
  const full = template.includes('{{schema}}') ? template : `${template.trimEnd()}\n\n${JSON_INSTRUCTION}`;
  return full.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_match, name: string) => {
    if (name === 'task') return values.task;
    if (name === 'tone') return values.tone ?? '';
    if (name === 'schema') return outputJsonSchema(values.task);
    if (name === 'input') return JSON.stringify(values.input, null, 2);
    if (name.startsWith('input.')) {
      const value = name
        .slice('input.'.length)
        .split('.')
        .reduce<unknown>((current, key) => (typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined), values.input);
      if (value === undefined) throw new LlmConfigError(`prompt template for ${values.task}: {{${name}}} is not a field of the input`);
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
    throw new LlmConfigError(`prompt template for ${values.task}: unknown placeholder {{${name}}}`);
  });
}

export interface PromptSettings {
  readonly systemPrompt: string;
  readonly tone?: string | undefined;
  /** The task's template; the built-in default when absent. */
  readonly template?: string | undefined;
}

export function buildMessages(task: TaskName, input: unknown, settings: PromptSettings): ChatMessage[] {
  const user = renderTemplate(settings.template ?? DEFAULT_TEMPLATES[task], { task, input, tone: settings.tone });
  const system = settings.systemPrompt.trim();
  return system === '' ? [{ role: 'user', content: user }] : [{ role: 'system', content: system }, { role: 'user', content: user }];
}
