import fc from 'fast-check';
import type { z } from 'zod';
import { describe, it } from 'vitest';
import { CONVERSATION_STATUSES } from '@supportstream/projections';
import { openApiDocument } from '../openapi.js';
import { APPROVAL_STATUSES, approvalsQuery } from '../routes/approvals.js';
import { conversationListQuery } from '../routes/conversationList.js';
import { signInBody } from '../routes/session.js';
import { submitRequestBody } from '../routes/requests.js';
import { validatorFor } from '../test/conformance.js';

// Property: for any value, the OpenAPI document accepts it exactly when the route's own schema
// does. These are the places the fuzzer found them apart (issue 12); the values come from the
// document's pattern, from the routes' vocabularies in every case and spacing, and from any text.

type Json = Record<string, unknown>;
const doc = openApiDocument as unknown as { paths: Record<string, Record<string, { parameters?: Json[] }>>; components: { parameters: Record<string, Json>; schemas: Record<string, Json> } };

function parameterSchema(path: string, method: string, name: string): Json {
  const raw = (doc.paths[path]?.[method]?.parameters ?? []).map((parameter) => (typeof parameter['$ref'] === 'string' ? (doc.components.parameters[parameter['$ref'].split('/').at(-1) ?? ''] ?? {}) : parameter));
  const schema = raw.find((parameter) => parameter['name'] === name)?.['schema'] as Json | undefined;
  if (schema === undefined) throw new Error(`${method} ${path} has no parameter ${name}`);
  return schema;
}

/** Words of a vocabulary with their case shuffled, spaces around, joined by commas or not. */
function vocabulary(words: readonly string[]): fc.Arbitrary<string> {
  const word = fc.tuple(fc.constantFrom(...words, 'nope', ''), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 })).map(([value, upper]) => [...value].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join(''));
  const spaced = fc.tuple(fc.constantFrom('', ' ', '\t', '\n'), word, fc.constantFrom('', ' ', '\u00a0')).map(([before, value, after]) => `${before}${value}${after}`);
  return fc.array(spaced, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(','));
}

function agree(schema: Json, route: (value: string) => boolean, values: fc.Arbitrary<string>): void {
  const documentAccepts = validatorFor(schema);
  fc.assert(
    fc.property(values, (value) => documentAccepts(value) === route(value)),
    { numRuns: 1_000, seed: 12 },
  );
}

const pattern = (schema: Json): fc.Arbitrary<string> => fc.stringMatching(new RegExp(String(schema['pattern']), 'u'));
const accepts = (schema: z.ZodType, value: unknown): boolean => schema.safeParse(value).success;

describe('the document and the routes accept the same values', () => {
  it('GET /v1/approvals?status', () => {
    const schema = parameterSchema('/v1/approvals', 'get', 'status');
    agree(schema, (value) => accepts(approvalsQuery, { status: value }), fc.oneof(pattern(schema), vocabulary(APPROVAL_STATUSES), fc.string()));
  });

  it('GET /v1/conversations?status', () => {
    const schema = parameterSchema('/v1/conversations', 'get', 'status');
    agree(schema, (value) => accepts(conversationListQuery, { status: value }), fc.oneof(pattern(schema), vocabulary(CONVERSATION_STATUSES), fc.string()));
  });

  it('GET /v1/conversations?from (and to)', () => {
    const schema = parameterSchema('/v1/conversations', 'get', 'from');
    const near = fc.date({ noInvalidDate: true }).chain((date) => fc.constantFrom(date.toISOString(), date.toISOString().slice(0, 10), date.toISOString().slice(0, 16), `${date.toISOString().slice(0, 16)}+05:30`, date.toString()));
    agree(schema, (value) => accepts(conversationListQuery, { from: value }), fc.oneof(pattern(schema), near, fc.string()));
  });

  it('POST /v1/requests message and POST /v1/session credentials: not blank', () => {
    const submit = validatorFor({ $ref: '#/components/schemas/SubmitRequest' });
    const signIn = validatorFor({ $ref: '#/components/schemas/SignIn' });
    const blankish = fc.oneof(fc.stringMatching(/^\s*$/), fc.string(), fc.stringMatching(/^\s*\S\s*$/));
    fc.assert(
      fc.property(blankish, (value) => submit({ message: value }) === accepts(submitRequestBody, { message: value }) && signIn({ apiKey: value }) === accepts(signInBody, { apiKey: value })),
      { numRuns: 1_000, seed: 12 },
    );
  });
});
