import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { openApiDocument } from '../openapi.js';

/**
 * Keeps the OpenAPI document true: every response the tests receive goes through `api.call`,
 * which fails the test when the status is not documented for that route or the body does not
 * match the documented schema.
 */

type Json = Record<string, unknown>;
const document = openApiDocument as unknown as {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json>; headers: Record<string, Json>; parameters: Record<string, Json> };
};

const COMPONENTS_ID = 'https://gateway.test.invalid/components';

/** `#/components/schemas/X` → an absolute ref into the schema ajv knows the components under. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? inner.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`) : rewriteRefs(inner)]),
  );
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
ajv.addFormat('date-time', { type: 'string', validate: (value: string) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) });
// OpenAPI extension keywords are documentation for people; ajv may ignore them.
ajv.addKeyword({ keyword: 'x-sse-data-schema' });
ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(document.components.schemas) as Json });

const validators = new Map<string, ValidateFunction>();
export function validatorFor(schema: Json): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (validate === undefined) {
    validate = ajv.compile(rewriteRefs(schema) as Json);
    validators.set(key, validate);
  }
  return validate;
}

export const schemaRef = (name: string): ValidateFunction => validatorFor({ $ref: `#/components/schemas/${name}` });

function resolve<T extends Json>(value: Json, section: 'responses' | 'headers' | 'parameters'): T {
  const target = value['$ref'];
  if (typeof target !== 'string') return value as T;
  const name = target.replace(`#/components/${section}/`, '');
  const resolved = document.components[section][name];
  if (resolved === undefined) throw new Error(`unresolved ${target}`);
  return resolved as T;
}

const pathMatchers = Object.keys(document.paths).map((template) => ({
  template,
  regex: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The document's path template a concrete path falls under, if any. */
export function templateFor(path: string): string | undefined {
  return pathMatchers.find((matcher) => matcher.regex.test(path))?.template;
}

export function operationFor(method: string, path: string): { template: string; operation: Json } | undefined {
  const template = templateFor(path);
  if (template === undefined) return undefined;
  const operation = document.paths[template]?.[method.toLowerCase()];
  return operation === undefined ? undefined : { template, operation };
}

/** What a path of the document answers besides its operations: HEAD where GET is, and OPTIONS. */
export function allowedMethods(template: string): string[] {
  const declared = Object.keys(document.paths[template] ?? {}).map((method) => method.toUpperCase());
  return [...declared, ...(declared.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
}

const sameMethods = (header: string | null, expected: readonly string[]): boolean =>
  header !== null &&
  [...new Set(header.split(',').map((method) => method.trim()))].sort().join(',') === [...expected].sort().join(',');

/** A method the document does not list for a path it has: HEAD (as GET, no body), OPTIONS (204) or 405, each with Allow. */
function assertOtherMethod(method: string, url: URL, template: string, status: number, headers: Headers, text: string): Seen {
  const allowed = allowedMethods(template);
  if (method === 'HEAD' && allowed.includes('GET')) {
    const seen = assertConforms('GET', url, status, headers, undefined);
    if (text !== '') throw new Error(`HEAD ${url.pathname} → ${status} sent a body`);
    return seen;
  }
  if (!sameMethods(headers.get('allow'), allowed)) throw new Error(`${method} ${url.pathname} → ${status}: Allow is ${headers.get('allow')}, the document lists ${allowed.join(', ')}`);
  if (method === 'OPTIONS') {
    if (status !== 204) throw new Error(`OPTIONS ${url.pathname} answered ${status}, not 204`);
    return { operationId: `options ${template}`, status };
  }
  if (status !== 405) throw new Error(`${method} ${url.pathname}: the document has no ${method} for ${template}, yet it answered ${status} (405 expected)`);
  // A HEAD answer has no body to check.
  if (method !== 'HEAD') checkBody(schemaRef('Error'), method, url, status, text);
  return { operationId: `methodNotAllowed ${template}`, status };
}

export interface Seen {
  readonly operationId: string;
  readonly status: number;
}

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string;
  readonly apiKey?: string;
  /** JSON-encoded unless `rawBody` is given. */
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

/**
 * Checks one response against the document: documented status, matching body, mandatory headers.
 * `text` undefined: the body was not read (a stream), only the status and headers are checked.
 */
export function assertConforms(method: string, url: URL, status: number, headers: Headers, text: string | undefined): Seen {
  const match = operationFor(method, url.pathname);
  const contentType = headers.get('content-type') ?? '';
  if (headers.get('x-request-id') === null) throw new Error(`${method} ${url.pathname} → ${status} has no X-Request-Id`);
  if (match === undefined) {
    const template = templateFor(url.pathname);
    if (template !== undefined) return assertOtherMethod(method, url, template, status, headers, text ?? '');
    // Unknown routes: a 404 in the error format, nothing else.
    if (status !== 404) throw new Error(`${method} ${url.pathname} is not in the OpenAPI document but answered ${status}`);
    if (text !== undefined && method !== 'HEAD') checkBody(schemaRef('Error'), method, url, status, text);
    return { operationId: 'unknownRoute', status };
  }
  const operationId = String(match.operation['operationId']);
  const responses = match.operation['responses'] as Record<string, Json>;
  const documented = responses[String(status)];
  if (documented === undefined) throw new Error(`${method} ${match.template} (${operationId}) answered ${status}, which the document does not list (${Object.keys(responses).join(', ')})`);
  const response = resolve<{ content?: Record<string, { schema?: Json }>; headers?: Record<string, Json> }>(documented, 'responses');
  const media = Object.keys(response.content ?? {});
  if (media.length > 0 && !media.some((type) => contentType.startsWith(type))) throw new Error(`${operationId} ${status}: content-type ${contentType} is not one of ${media.join(', ')}`);
  const json = response.content?.['application/json']?.schema;
  if (json !== undefined && text !== undefined) checkBody(validatorFor(json), method, url, status, text);
  if (status === 401 && headers.get('www-authenticate') === null) throw new Error(`${operationId} 401 without WWW-Authenticate`);
  if (status === 429 && headers.get('retry-after') === null) throw new Error(`${operationId} 429 without Retry-After`);
  return { operationId, status };
}

function checkBody(validate: ValidateFunction, method: string, url: URL, status: number, text: string): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${url.pathname} → ${status}: body is not JSON: ${text.slice(0, 200)}`);
  }
  if (!validate(body)) throw new Error(`${method} ${url.pathname} → ${status}: body does not match the document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
}

/** fetch, then assertConforms on every answer; remembers which operations and statuses were seen. */
export function apiClient(baseUrl: string) {
  const seen: Seen[] = [];
  async function call<T = Record<string, unknown>>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(path, baseUrl);
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    seen.push(assertConforms(method, url, response.status, response.headers, text));
    const contentType = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, body: (contentType.includes('json') && text !== '' ? JSON.parse(text) : {}) as T, text };
  }
  return { call, seen };
}
