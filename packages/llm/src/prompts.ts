import { z } from 'zod';
import { LlmConfigError } from './errors.js';
import { DEFAULT_CANARY, fence, fenceRule, type UntrustedKind } from './fence.js';
import type { ChatMessage } from './port.js';
import { TASKS, type TaskName } from './tasks.js';

/**
 * Prompt rendering. A template is text with `{{placeholders}}`: `{{task}}`, `{{tone}}`,
 * `{{schema}}` (the output JSON Schema), `{{input}}` (the whole input as JSON) and
 * `{{input.path}}` (one field: strings as they are, anything else as JSON). An unknown
 * placeholder is a configuration error. If a template does not show `{{schema}}` itself, the
 * instruction to answer with JSON matching the schema is appended, so an edited template
 * cannot switch structured output off.
 *
 * Every string of the input is untrusted unless FIELD_RULES says otherwise, and is rendered inside
 * a fence (see fence.ts), in `{{input}}` and `{{input.path}}` alike: a field added to a task later
 * is fenced without anyone remembering to. The system prompt always ends with the rule that
 * fenced text is data, and with the canary.
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
  /** Keys the fence ids; default DEFAULT_CANARY. */
  readonly canary?: string | undefined;
}

/**
 * How a string of the input is rendered, by its path (array indices as `*`). Unlisted strings are
 * untrusted `data`. `enum` and `id` values are shown as they are only while they have the shape
 * their schema allows (a word, an identifier), so an unvalidated value is still fenced. Only the
 * tone is trusted text: it comes from the agent settings an operator writes, not from a request.
 */
type FieldRule = UntrustedKind | 'trusted' | 'enum' | 'id';

const FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  text: 'customer_message',
  message: 'customer_message',
  subject: 'customer_subject',
  'history.*': 'conversation_history',
  'sources.*.id': 'id',
  'sources.*.title': 'knowledge_title',
  'sources.*.text': 'knowledge_passage',
  'sources.*.audience': 'enum',
  'facts.*': 'crm_fact',
  'previousIssues.*': 'review_issue',
  reply: 'draft_reply',
  'citations.*': 'id',
  tone: 'trusted',
  customerTier: 'enum',
  'triage.category': 'enum',
  'triage.priority': 'enum',
  'triage.sentiment': 'enum',
  'triage.language': 'enum',
  'triage.intent': 'triage_field',
  'triage.signals.*': 'triage_field',
  'triage.orderId': 'triage_field',
};

/** The kind an `id` field is fenced as when its value is not id-shaped. */
const ID_KINDS: Readonly<Record<string, UntrustedKind>> = { 'sources.*.id': 'source_id', 'citations.*': 'citation' };

const ENUM_SHAPE = /^[A-Za-z][A-Za-z_]{0,31}$/;
const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,127}$/;

function renderString(value: string, path: readonly string[], canary: string): string {
  const pattern = path.map((segment) => (/^\d+$/.test(segment) ? '*' : segment)).join('.');
  const rule = FIELD_RULES[pattern] ?? 'data';
  if (rule === 'trusted') return value;
  if (rule === 'enum' && ENUM_SHAPE.test(value)) return value;
  if (rule === 'id' && ID_SHAPE.test(value)) return value;
  const kind: UntrustedKind = rule === 'enum' ? 'data' : rule === 'id' ? (ID_KINDS[pattern] ?? 'data') : rule;
  return fence(kind, value, { key: path.join('.'), canary });
}

/** A source of the input whose audience is `agent`: its text is fenced as an agent_note, not a knowledge passage. */
const isAgentNoteSource = (value: object, path: readonly string[]) =>
  path.length === 2 && path[0] === 'sources' && (value as { audience?: unknown }).audience === 'agent';

/** A copy of the input in which every untrusted string is fenced; numbers, booleans and null stay. */
export function fencedInput(value: unknown, canary: string = DEFAULT_CANARY, path: readonly string[] = []): unknown {
  if (typeof value === 'string') return renderString(value, path, canary);
  if (Array.isArray(value)) return value.map((item, index) => fencedInput(item, canary, [...path, String(index)]));
  if (typeof value === 'object' && value !== null) {
    const note = isAgentNoteSource(value, path);
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const at = [...path, key];
        if (note && key === 'text' && typeof item === 'string') return [key, fence('agent_note', item, { key: at.join('.'), canary })];
        return [key, fencedInput(item, canary, at)];
      }),
    );
  }
  return value;
}

export function renderTemplate(template: string, values: PromptValues): string {
  const full = template.includes('{{schema}}') ? template : `${template.trimEnd()}\n\n${JSON_INSTRUCTION}`;
  const canary = values.canary ?? DEFAULT_CANARY;
  return full.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_match, name: string) => {
    if (name === 'task') return values.task;
    if (name === 'tone') return values.tone ?? '';
    if (name === 'schema') return outputJsonSchema(values.task);
    if (name === 'input') return JSON.stringify(fencedInput(values.input, canary), null, 2);
    if (name.startsWith('input.')) {
      const path = name.slice('input.'.length).split('.');
      const value = path.reduce<unknown>((current, key) => (typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined), values.input);
      if (value === undefined) throw new LlmConfigError(`prompt template for ${values.task}: {{${name}}} is not a field of the input`);
      const rendered = fencedInput(value, canary, path);
      return typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
    }
    throw new LlmConfigError(`prompt template for ${values.task}: unknown placeholder {{${name}}}`);
  });
}

export interface PromptSettings {
  readonly systemPrompt: string;
  readonly tone?: string | undefined;
  /** The task's template; the built-in default when absent. */
  readonly template?: string | undefined;
  /** The deployment's canary (see deriveCanary); DEFAULT_CANARY when absent. */
  readonly canary?: string | undefined;
}

const MIN_CANARY_LENGTH = 12;

/**
 * The system message (the configured prompt, then the fence rule with the canary) and the user
 * message. There is always a system message: the fence rule and the canary must be in every prompt.
 */
export function buildMessages(task: TaskName, input: unknown, settings: PromptSettings): ChatMessage[] {
  const canary = settings.canary ?? DEFAULT_CANARY;
  if (canary.trim().length < MIN_CANARY_LENGTH || /\s/.test(canary)) {
    throw new LlmConfigError(`the prompt canary must be at least ${MIN_CANARY_LENGTH} characters without spaces`);
  }
  const user = renderTemplate(settings.template ?? DEFAULT_TEMPLATES[task], { task, input, tone: settings.tone, canary });
  const system = [settings.systemPrompt.trim(), fenceRule(canary)].filter((part) => part !== '').join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
