import type { Schema } from './schemaValues.js';

/** The operations of an OpenAPI 3.1 document as the fuzzer needs them, $refs of parameters resolved. */

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: Schema;
}

export interface Operation {
  readonly operationId: string;
  /** Upper case. */
  readonly method: string;
  /** `/v1/conversations/{id}`. */
  readonly template: string;
  readonly parameters: readonly Parameter[];
  /** The JSON body schema, when the operation takes one. */
  readonly body?: { readonly schema: Schema; readonly required: boolean };
  /** Whether the operation asks for credentials (security not empty). */
  readonly secured: boolean;
  /** Its 200 is a server-sent event stream. */
  readonly streams: boolean;
}

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface ApiDocument {
  readonly paths: Record<string, Record<string, Json>>;
  readonly components: { readonly schemas: Record<string, Schema>; readonly parameters: Record<string, Json> };
  readonly security?: readonly unknown[];
}

export function resolveSchemaRef(document: ApiDocument, ref: string): Schema {
  const name = ref.replace('#/components/schemas/', '');
  const schema = document.components.schemas[name];
  if (schema === undefined) throw new Error(`unresolved ${ref}`);
  return schema;
}

function parameterOf(document: ApiDocument, raw: Json): Parameter {
  const ref = raw['$ref'];
  const parameter = typeof ref === 'string' ? document.components.parameters[ref.replace('#/components/parameters/', '')] : raw;
  if (parameter === undefined) throw new Error(`unresolved ${String(ref)}`);
  return { name: String(parameter['name']), in: parameter['in'] as Parameter['in'], required: parameter['required'] === true, schema: (parameter['schema'] ?? {}) as Schema };
}

export function operationsOf(document: ApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => {
        const content = (operation['requestBody'] as { content?: Record<string, { schema?: Schema }>; required?: boolean } | undefined)?.content;
        const bodySchema = content?.['application/json']?.schema;
        const ok = (operation['responses'] as Record<string, { content?: Record<string, unknown> }>)['200'];
        const security = (operation['security'] ?? document.security ?? []) as unknown[];
        return {
          operationId: String(operation['operationId']),
          method: method.toUpperCase(),
          template,
          parameters: ((operation['parameters'] ?? []) as Json[]).map((parameter) => parameterOf(document, parameter)),
          ...(bodySchema === undefined ? {} : { body: { schema: bodySchema, required: (operation['requestBody'] as { required?: boolean }).required === true } }),
          secured: security.length > 0,
          streams: ok?.content?.['text/event-stream'] !== undefined,
        };
      }),
  );
}

/** The methods a path's operations use. */
export function methodsOf(operations: readonly Operation[], template: string): string[] {
  return operations.filter((operation) => operation.template === template).map((operation) => operation.method);
}
