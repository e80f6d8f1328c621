import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../openapi.js';
import { validatorFor } from '../test/conformance.js';
import { operationsOf, resolveSchemaRef, type ApiDocument } from './document.js';
import { invalidValues, invalidWireValues, valuesOf, wireValid, wireValues, type Schema, type SchemaContext } from './schemaValues.js';

// The fuzzer's generators must be right, or its verdicts are not: every value it calls valid is
// valid by the document's own validator, and every value it calls invalid is not.

const document = JSON.parse(JSON.stringify(openApiDocument)) as ApiDocument;
const compiled = new WeakMap<Schema, ValidateFunction>();
const context: SchemaContext = {
  resolve: (ref) => resolveSchemaRef(document, ref),
  validate: (schema, value) => {
    let validate = compiled.get(schema);
    if (validate === undefined) {
      validate = validatorFor(schema);
      compiled.set(schema, validate);
    }
    return validate(value);
  },
};
const operations = operationsOf(document);
const parameters = operations.flatMap((operation) => operation.parameters.map((parameter) => ({ where: `${operation.operationId} ${parameter.in} ${parameter.name}`, schema: parameter.schema })));
const bodies = operations.flatMap((operation) => (operation.body === undefined ? [] : [{ where: `${operation.operationId} body`, schema: operation.body.schema }]));
const RUNS = 150;

describe('the fuzzer reads the document', () => {
  it('finds every operation with its parameters, bodies and streams', () => {
    expect(operations.length).toBe(Object.values(document.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0));
    expect(operations.filter((operation) => operation.body !== undefined).map((operation) => operation.operationId).sort()).toEqual(['createSession', 'decideApproval', 'submitRequest']);
    expect(operations.filter((operation) => operation.streams).map((operation) => operation.operationId).sort()).toEqual(['streamApprovals', 'streamConversation']);
    expect(operations.find((operation) => operation.operationId === 'getCheckpoint')?.parameters.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(['path:id', 'path:checkpointId', 'header:X-Request-Id']);
  });
});

describe('values from schemas', () => {
  it('generates only valid bodies, and invalid ones the document refuses', () => {
    for (const { where, schema } of bodies) {
      for (const value of fc.sample(valuesOf(schema, context), { seed: 1, numRuns: RUNS })) expect({ where, value, valid: context.validate(schema, value) }).toMatchObject({ valid: true });
      const invalid = invalidValues(schema, context);
      expect(invalid, where).toBeDefined();
      for (const bad of fc.sample(invalid ?? fc.constant({ value: null, why: '' }), { seed: 2, numRuns: RUNS })) expect({ where, bad, valid: context.validate(schema, bad.value) }).toMatchObject({ valid: false });
    }
  });

  it('generates parameter values as they travel (text), valid or invalid as told', () => {
    for (const { where, schema } of parameters) {
      for (const value of fc.sample(wireValues(schema, context), { seed: 3, numRuns: RUNS })) expect({ where, value, valid: wireValid(schema, context, value) }).toMatchObject({ valid: true });
      const invalid = invalidWireValues(schema, context);
      if (invalid === undefined) continue;
      for (const bad of fc.sample(invalid, { seed: 4, numRuns: RUNS })) expect({ where, bad, valid: wireValid(schema, context, String(bad.value)) }).toMatchObject({ valid: false });
    }
  });

  it('reaches the edges: empty and maximal lengths, characters outside the BMP, all-9 digit runs', () => {
    const message = (document.components.schemas['SubmitRequest'] as { properties: Record<string, Schema> }).properties['message'] ?? {};
    const messages = fc.sample(valuesOf(message, context), { seed: 5, numRuns: 2_000 }) as string[];
    expect(messages.some((value) => [...value].length === 10_000)).toBe(true);
    expect(messages.some((value) => /[\u{10000}-\u{10FFFF}]/u.test(value))).toBe(true);
    const seqs = fc.sample(wireValues({ type: 'string', pattern: '^\\d{1,19}$' }, context), { seed: 6, numRuns: 2_000 });
    expect(seqs.some((value) => /^9{2,}$/.test(value))).toBe(true);
    expect(seqs.some((value) => BigInt(value) > 9_223_372_036_854_775_807n)).toBe(true);
    const limits = fc.sample(wireValues({ type: 'integer', minimum: 1, maximum: 500 }, context), { seed: 7, numRuns: 500 });
    expect(limits).toEqual(expect.arrayContaining(['1', '500']));
  });

  it('tells wire integers apart from what merely coerces to one', () => {
    const limit = { type: 'integer', minimum: 1, maximum: 500 };
    expect(['1', '500', '42'].map((value) => wireValid(limit, context, value))).toEqual([true, true, true]);
    expect(['0', '501', '1.5', '1e2', '', ' 7', '07', 'abc'].map((value) => wireValid(limit, context, value))).toEqual([false, false, false, false, false, false, false, false]);
  });
});
