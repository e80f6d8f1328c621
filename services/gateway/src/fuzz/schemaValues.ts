import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schemas of an OpenAPI 3.1 document: values a schema
 * accepts, and values it refuses (each with what makes it wrong). Covers what the gateway's
 * document uses: $ref, const, enum, type (and type lists), string pattern/length/format,
 * integer/number bounds, objects (properties, required, additionalProperties, propertyNames,
 * maxProperties), arrays, anyOf/oneOf and if/then/else (the last two by filtering with the
 * document's own validator).
 */

export type Schema = Readonly<Record<string, unknown>>;

export interface SchemaContext {
  /** `#/components/schemas/X` → its schema. */
  readonly resolve: (ref: string) => Schema;
  /** The document's validator for a schema (ajv), the judge of what is valid. */
  readonly validate: (schema: Schema, value: unknown) => boolean;
}

export interface Invalid {
  readonly value: unknown;
  /** What makes it invalid, for the report. */
  readonly why: string;
}

/** Longest string generated where the schema sets no bound, so requests stay below Node's header limits. */
const FREE_STRING_MAX = 60;
/** How much longer than maxLength a "too long" string is. */
const OVERSHOOT = 40;
/**
 * Characters of a huge string. Percent-encoded in a URL (12 bytes for 😀) with the other
 * parameters, the request stays under Node's 16 KiB header limit, past which Node itself answers
 * 431 before the gateway sees the request.
 */
const HUGE_STRING = 500;

/** Length in code points, as JSON Schema counts it. */
export const codePoints = (value: string): number => [...value].length;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
/** `type` as a list of names (`"string"`, `["string", "null"]`). */
const typeNames = (type: unknown): string[] => (Array.isArray(type) ? type.filter((name): name is string => typeof name === 'string') : typeof type === 'string' ? [type] : []);

/** Strings of any kind of text: mostly ASCII, some any-grapheme text, some raw code points (lone surrogates included). */
export function text(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  const minLength = constraints.minLength ?? 0;
  const maxLength = Math.max(minLength, constraints.maxLength ?? FREE_STRING_MAX);
  const bounded = Math.min(maxLength, Math.max(minLength, FREE_STRING_MAX));
  const kinds: fc.WeightedArbitrary<string>[] = [
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength: bounded }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: bounded }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength: bounded }) },
  ];
  // The boundary itself: exactly maxLength characters, some outside the Basic Multilingual Plane.
  if (constraints.maxLength !== undefined && constraints.maxLength > bounded) {
    kinds.push({ weight: 1, arbitrary: fc.constantFrom('a', 'é', '😀', '\u{10FFFF}').map((char) => char.repeat(maxLength)) });
  }
  return fc.oneof(...kinds).filter((value) => codePoints(value) >= minLength && codePoints(value) <= maxLength);
}

function withoutKeys(schema: Schema, keys: readonly string[]): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key)));
}

function stringValues(schema: Schema): fc.Arbitrary<string> {
  const minLength = num(schema['minLength']);
  const maxLength = num(schema['maxLength']);
  const pattern = str(schema['pattern']);
  if (schema['format'] === 'date-time') {
    return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
  }
  if (pattern !== undefined) {
    const regex = new RegExp(pattern, 'u');
    // fast-check keeps repetitions short by default: an anchored, bounded pattern (no * or +) is also tried at its full size.
    const bounded = pattern.startsWith('^') && pattern.endsWith('$') && !/[*+]|\{\d+,\}/.test(pattern);
    const matching = (bounded ? fc.oneof(fc.stringMatching(regex), fc.stringMatching(regex, { size: 'max' })) : fc.stringMatching(regex)).filter((value) => codePoints(value) >= (minLength ?? 0) && codePoints(value) <= (maxLength ?? Number.POSITIVE_INFINITY));
    if (pattern.startsWith('^')) {
      // Extremes of digit runs (all 9s, all 0s) where the pattern still matches: numbers past a column's range, year 0000.
      const extremes = fc.tuple(matching, fc.constantFrom('0', '9')).map(([value, digit]) => {
        const extreme = value.replace(/\d/g, digit);
        return regex.test(extreme) ? extreme : value;
      });
      return fc.oneof({ weight: 4, arbitrary: matching }, { weight: 1, arbitrary: extremes });
    }
    // A pattern that only asks for some character (`\S`): any text of the right length that has it, boundaries included.
    const texts = text({ ...(minLength === undefined ? {} : { minLength }), ...(maxLength === undefined ? {} : { maxLength }) }).filter((value) => regex.test(value));
    return fc.oneof(matching, texts);
  }
  return text({ ...(minLength === undefined ? {} : { minLength }), ...(maxLength === undefined ? {} : { maxLength }) });
}

function objectValues(schema: Schema, context: SchemaContext, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = isObject(schema['properties']) ? (schema['properties'] as Record<string, Schema>) : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const declared = fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valuesOf(property, context, depth + 1)])), { requiredKeys: required.filter((name) => name in properties) });
  const additional = schema['additionalProperties'];
  if (!isObject(additional)) return declared;
  const names = isObject(schema['propertyNames']) ? stringValues(schema['propertyNames']) : text({ minLength: 1, maxLength: 20 });
  const maxKeys = Math.min(num(schema['maxProperties']) ?? 5, 5);
  const extra = fc.dictionary(names.filter((name) => !(name in properties) && name !== '__proto__'), valuesOf(additional, context, depth + 1), { maxKeys });
  return fc.tuple(declared, extra).map(([known, more]) => ({ ...more, ...known }));
}

function typedValues(type: string, schema: Schema, context: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return stringValues(schema);
    case 'integer':
      return fc.integer({ min: num(schema['minimum']) ?? -1_000_000, max: num(schema['maximum']) ?? 1_000_000 });
    case 'number':
      return fc.double({ min: num(schema['minimum']) ?? -1e6, max: num(schema['maximum']) ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(isObject(schema['items']) ? valuesOf(schema['items'], context, depth + 1) : fc.jsonValue({ maxDepth: 1 }), { maxLength: depth > 2 ? 0 : 3 });
    case 'object':
      return objectValues(schema, context, depth);
    default:
      throw new Error(`schema type ${type} is not supported by the fuzzer`);
  }
}

/** Values `schema` accepts (checked with the document's validator where the shape alone does not guarantee it). */
export function valuesOf(schema: Schema, context: SchemaContext, depth = 0): fc.Arbitrary<unknown> {
  const ref = str(schema['$ref']);
  if (ref !== undefined) return valuesOf(context.resolve(ref), context, depth);
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  const branches = (Array.isArray(schema['anyOf']) ? schema['anyOf'] : undefined) as Schema[] | undefined;
  if (branches !== undefined && schema['type'] === undefined && schema['properties'] === undefined) {
    const base = withoutKeys(schema, ['anyOf', 'description']);
    return fc.oneof(...branches.map((branch) => valuesOf({ ...base, ...branch }, context, depth)));
  }
  const conditional = ['oneOf', 'anyOf', 'if', 'not'].some((key) => key in schema);
  const types = typeNames(schema['type'] ?? (isObject(schema['properties']) ? 'object' : undefined));
  const shape: fc.Arbitrary<unknown> = types.length === 0 ? fc.jsonValue({ maxDepth: 2 }) : fc.oneof(...types.map((each) => typedValues(each, schema, context, depth)));
  return conditional ? shape.filter((value) => context.validate(schema, value)) : shape;
}

/** A value of another JSON type than `type`. */
const otherTypes = (types: readonly string[]): fc.Arbitrary<Invalid> => {
  const samples: [string, unknown][] = [
    ['string', 'not-a-number'],
    ['integer', 42],
    ['number', 1.5],
    ['boolean', true],
    ['null', null],
    ['array', ['x']],
    ['object', { x: 1 }],
  ];
  const wrong = samples.filter(([name]) => !types.includes(name) && !(name === 'integer' && types.includes('number')));
  return fc.constantFrom(...wrong).map(([name, value]) => ({ value, why: `a ${name} where the document wants ${types.join(' or ')}` }));
};

function invalidStrings(schema: Schema): fc.Arbitrary<Invalid>[] {
  const options: fc.Arbitrary<Invalid>[] = [];
  const maxLength = num(schema['maxLength']);
  const minLength = num(schema['minLength']);
  const pattern = str(schema['pattern']);
  const values = Array.isArray(schema['enum']) ? (schema['enum'] as unknown[]) : undefined;
  if (maxLength !== undefined) {
    options.push(fc.integer({ min: 1, max: OVERSHOOT }).map((extra) => ({ value: 'x'.repeat(maxLength + extra), why: `longer than maxLength ${maxLength}` })));
    // Huge, but within what Node takes in a request line (16 KiB of headers).
    options.push(fc.constantFrom('x', 'é', '😀').map((char) => ({ value: char.repeat(Math.max(maxLength + 1, HUGE_STRING)), why: `a huge string (${Math.max(maxLength + 1, HUGE_STRING)} × ${char})` })));
  }
  if (minLength !== undefined && minLength > 0) options.push(fc.constant({ value: '', why: `shorter than minLength ${minLength}` }));
  if (pattern !== undefined || values !== undefined) {
    const regex = pattern === undefined ? undefined : new RegExp(pattern, 'u');
    const accepted = (value: string) => (regex === undefined || regex.test(value)) && (values === undefined || values.includes(value));
    const odd = fc.constantFrom('', ' ', 'has space', '../etc/passwd', "'; DROP TABLE x; --", '%00', 'null', 'ünïcödé', '😀', '\u202Eevil', 'a\u0000b', '\uD800', 'x'.repeat(250));
    const caseChanged = values === undefined ? [] : [fc.constantFrom(...values.filter((value): value is string => typeof value === 'string')).map((value) => (value === value.toLowerCase() ? value.toUpperCase() : value.toLowerCase()))];
    options.push(
      fc
        .oneof(odd, text({ maxLength: 30 }), ...caseChanged)
        .filter((value) => !accepted(value))
        .map((value) => ({ value, why: pattern === undefined ? `not one of ${values?.join(', ')}` : `does not match ${pattern}` })),
    );
  }
  return options;
}

function invalidObjects(schema: Schema, context: SchemaContext, depth: number): fc.Arbitrary<Invalid>[] {
  const properties = isObject(schema['properties']) ? (schema['properties'] as Record<string, Schema>) : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const valid = valuesOf(schema, context, depth).filter(isObject);
  const options: fc.Arbitrary<Invalid>[] = [];
  for (const name of required) {
    options.push(
      valid.map((value) => {
        const { [name]: _dropped, ...rest } = value;
        return { value: rest, why: `without the required ${name}` };
      }),
    );
  }
  if (schema['additionalProperties'] === false) {
    options.push(fc.tuple(valid, fc.constantFrom('extra', 'tenantId', '__proto__', 'constructor', 'Message'), fc.jsonValue({ maxDepth: 1 })).map(([value, name, extra]) => ({ value: { ...value, [name]: extra }, why: `with the undeclared field ${name}` })));
  }
  const invalidProperties = Object.entries(properties).flatMap(([name, property]) => {
    const wrong = invalidValues(property, context, depth + 1);
    return wrong === undefined ? [] : [fc.tuple(valid, wrong).map(([value, bad]) => ({ value: { ...value, [name]: bad.value }, why: `${name}: ${bad.why}` }))];
  });
  if (invalidProperties.length > 0) options.push(fc.oneof(...invalidProperties));
  return options;
}

/**
 * Values `schema` refuses, each checked against the document's validator, or undefined when the
 * schema accepts anything (`{}`).
 */
export function invalidValues(schema: Schema, context: SchemaContext, depth = 0): fc.Arbitrary<Invalid> | undefined {
  const ref = str(schema['$ref']);
  if (ref !== undefined) return invalidValues(context.resolve(ref), context, depth);
  const types = typeNames(schema['type'] ?? (isObject(schema['properties']) ? 'object' : undefined));
  if (types.length === 0 && !('enum' in schema) && !('const' in schema)) return undefined;
  const options: fc.Arbitrary<Invalid>[] = [];
  if (types.length > 0) options.push(otherTypes(types));
  if ('const' in schema) options.push(fc.constant({ value: `not-${JSON.stringify(schema['const'])}`, why: `not the constant ${JSON.stringify(schema['const'])}` }));
  if (types.includes('string')) options.push(...invalidStrings(schema));
  if (types.includes('integer') || types.includes('number')) {
    const minimum = num(schema['minimum']);
    const maximum = num(schema['maximum']);
    if (minimum !== undefined) options.push(fc.integer({ min: 1, max: 1_000 }).map((below) => ({ value: minimum - below, why: `below the minimum ${minimum}` })));
    if (maximum !== undefined) options.push(fc.integer({ min: 1, max: 1_000 }).map((above) => ({ value: maximum + above, why: `above the maximum ${maximum}` })));
    if (types.includes('integer') && !types.includes('number')) options.push(fc.constant({ value: 1.5, why: 'not an integer' }));
  }
  if (types.includes('object') && depth < 2) options.push(...invalidObjects(schema, context, depth));
  return fc.oneof(...options).filter((candidate) => !context.validate(schema, candidate.value));
}

/**
 * Query and path parameters travel as text. A parameter's wire values: an integer's decimal
 * digits, a string as it is.
 */
export function wireValues(schema: Schema, context: SchemaContext): fc.Arbitrary<string> {
  return valuesOf(schema, context).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
}

/** Whether a wire value is what the parameter's schema describes (an integer in canonical decimal form, a string as it is). */
export function wireValid(schema: Schema, context: SchemaContext, value: string): boolean {
  const type = schema['type'];
  if (type === 'integer') return /^-?(0|[1-9]\d*)$/.test(value) && context.validate(schema, Number(value));
  return context.validate(schema, value);
}

/** Wire values the parameter's schema refuses. */
export function invalidWireValues(schema: Schema, context: SchemaContext): fc.Arbitrary<Invalid> | undefined {
  if (schema['type'] === 'integer') {
    const minimum = num(schema['minimum']);
    const maximum = num(schema['maximum']);
    return fc
      .oneof(
        fc.constantFrom('abc', '1.5', '-', '', '+-1', '9'.repeat(30), 'NaN', 'Infinity', '1,2', '[1]', 'true'),
        ...(minimum === undefined ? [] : [fc.integer({ min: 1, max: 1_000 }).map((below) => String(minimum - below))]),
        ...(maximum === undefined ? [] : [fc.integer({ min: 1, max: 1_000_000 }).map((above) => String(maximum + above))]),
      )
      .filter((value) => !wireValid(schema, context, value))
      .map((value) => ({ value, why: `not an integer in [${minimum ?? '-∞'}, ${maximum ?? '∞'}]` }));
  }
  const options = schema['type'] === 'string' ? invalidStrings(schema) : [];
  return options.length === 0 ? undefined : fc.oneof(...options).filter((candidate) => typeof candidate.value === 'string' && !wireValid(schema, context, candidate.value));
}
