import fc from 'fast-check';
import { methodsOf, type Operation, type Parameter } from './document.js';
import { invalidValues, invalidWireValues, valuesOf, wireValues, type Invalid, type SchemaContext } from './schemaValues.js';

/**
 * Request cases for every operation of the document: valid ones built from its schemas (with
 * known ids and cursors from pools, so reads hit real rows), and invalid ones: a parameter or body
 * the document refuses, malformed JSON, other content types, bodies over the limit, methods the
 * path does not list, paths next to the listed ones, undeclared query parameters.
 */

export type CaseKind = 'valid' | 'invalidParameter' | 'invalidBody' | 'malformedJson' | 'wrongContentType' | 'hugeBody' | 'otherMethod' | 'nearPath' | 'extraQuery';

/** Kinds whose request the document refuses: the gateway must not answer them 2xx. */
export const NEGATIVE_KINDS: ReadonlySet<CaseKind> = new Set(['invalidParameter', 'invalidBody', 'malformedJson', 'wrongContentType', 'hugeBody']);

export interface RequestCase {
  readonly operationId: string;
  readonly kind: CaseKind;
  /** What was made wrong, for the report. */
  readonly violation?: string;
  readonly method: string;
  /** Percent-encoded. */
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The name of the credential the case sends (see FuzzWorld.credentials). */
  readonly credential: string;
}

export interface Credential {
  /** Headers that carry it (Authorization, X-Api-Key, Cookie, …). */
  readonly headers: Readonly<Record<string, string>>;
  readonly weight: number;
}

export interface FuzzWorld {
  readonly credentials: Readonly<Record<string, Credential>>;
  /**
   * Known values: `<operationId>.<in>.<name>` or `<in>.<name>` for parameters (in: path, query,
   * header), `<operationId>.body.<field>` for body fields.
   */
  readonly pools: Readonly<Record<string, readonly string[]>>;
  /** Header parameters the gateway enforces (the others it reads leniently, e.g. X-Request-Id is replaced when not sane). */
  readonly strictHeaders: ReadonlySet<string>;
  /** Relative weight of an operation, an integer (default 10). */
  readonly weights?: Readonly<Record<string, number>>;
  /** Bytes of a body that is surely over the gateway's limit. */
  readonly hugeBodyBytes: number;
}

type Values = Record<string, string | undefined>;

/** Path segments: UTF-8 percent-encoded (lone surrogates become U+FFFD rather than throwing). */
export function encodeSegment(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Header values fetch can send: Latin-1 without controls, trimmed (fetch trims them anyway). */
const sendableHeader = (value: string): boolean => /^[\x21-\x7e\xa0-\xff]([\x20-\x7e\xa0-\xff]*[\x21-\x7e\xa0-\xff])?$/.test(value);

const poolFor = (world: FuzzWorld, operation: Operation, where: string, name: string): readonly string[] => world.pools[`${operation.operationId}.${where}.${name}`] ?? world.pools[`${where}.${name}`] ?? [];

function parameterValues(world: FuzzWorld, operation: Operation, parameter: Parameter, context: SchemaContext): fc.Arbitrary<string> {
  const pool = poolFor(world, operation, parameter.in, parameter.name);
  const generated = wireValues(parameter.schema, context);
  const values = pool.length === 0 ? generated : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: generated });
  return parameter.in === 'header' ? values.filter(sendableHeader) : values;
}

/** Every parameter: required ones always, optional ones half of the time. */
function validParameters(world: FuzzWorld, operation: Operation, context: SchemaContext): fc.Arbitrary<Values> {
  const entries = operation.parameters
    .filter((parameter) => parameter.in !== 'cookie')
    .map((parameter) => {
      const values = parameterValues(world, operation, parameter, context);
      return [`${parameter.in}:${parameter.name}`, parameter.required ? values : fc.option(values, { nil: undefined })] as const;
    });
  return fc.record(Object.fromEntries(entries));
}

function validBody(world: FuzzWorld, operation: Operation, context: SchemaContext): fc.Arbitrary<unknown> {
  if (operation.body === undefined) return fc.constant(undefined);
  const fields = Object.keys(world.pools)
    .filter((key) => key.startsWith(`${operation.operationId}.body.`))
    .map((key) => [key.slice(`${operation.operationId}.body.`.length), world.pools[key] ?? []] as const);
  const generated = valuesOf(operation.body.schema, context);
  if (fields.length === 0) return generated;
  // Known values in place of generated ones (the field stays absent when it was).
  const replacements = fc.record(Object.fromEntries(fields.map(([field, pool]) => [field, fc.option(fc.constantFrom(...pool), { nil: undefined, freq: 3 })])));
  return fc.tuple(generated, replacements).map(([body, known]) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    for (const [field, value] of Object.entries(known)) if (value !== undefined && field in copy) copy[field] = value;
    return copy;
  }).filter((body) => context.validate(operation.body?.schema ?? {}, body));
}

function pathOf(operation: Operation, values: Values, raw: ReadonlySet<string> = new Set()): string {
  return operation.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[`path:${name}`] ?? '';
    return raw.has(name) ? value : encodeSegment(value);
  });
}

interface Built {
  readonly method: string;
  readonly path: string;
  readonly query: [string, string][];
  readonly headers: Record<string, string>;
  readonly body?: string;
}

function build(operation: Operation, values: Values, body: unknown, raw?: ReadonlySet<string>): Built {
  const query: [string, string][] = [];
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const [where, name = ''] = key.split(':');
    if (where === 'query') query.push([name, value]);
    if (where === 'header') headers[name] = value;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return { method: operation.method, path: pathOf(operation, values, raw), query, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
}

/** Path segments no valid id looks like, some not even valid percent-encoding. */
const RAW_SEGMENTS = ['%ZZ', '%', '%E0%A4', '%C0%AF', '%FF%FE', '%2e%2e', '..', '%00', '%2F', '%25'];

function invalidParameter(world: FuzzWorld, operation: Operation, context: SchemaContext): fc.Arbitrary<{ values: Values; raw: Set<string>; why: string }> | undefined {
  const candidates = operation.parameters.filter((parameter) => parameter.in === 'path' || parameter.in === 'query' || (parameter.in === 'header' && world.strictHeaders.has(parameter.name)));
  const options = candidates.flatMap((parameter) => {
    const wrong = invalidWireValues(parameter.schema, context);
    const key = `${parameter.in}:${parameter.name}`;
    const variants: fc.Arbitrary<{ value: string; raw: boolean; why: string }>[] = [];
    if (wrong !== undefined) variants.push(wrong.map((bad) => ({ value: String(bad.value), raw: false, why: `${parameter.in} ${parameter.name}: ${bad.why}` })));
    if (parameter.in === 'path') variants.push(fc.constantFrom(...RAW_SEGMENTS).map((segment) => ({ value: segment, raw: true, why: `path ${parameter.name}: the raw segment ${segment}` })));
    if (variants.length === 0) return [];
    const filtered = parameter.in === 'header' ? fc.oneof(...variants).filter((variant) => sendableHeader(variant.value)) : fc.oneof(...variants);
    return [fc.tuple(validParameters(world, operation, context), filtered).map(([values, bad]) => ({ values: { ...values, [key]: bad.value }, raw: bad.raw ? new Set([parameter.name]) : new Set<string>(), why: bad.why }))];
  });
  return options.length === 0 ? undefined : fc.oneof(...options);
}

/** Not JSON (RFC 8259). A leading byte order mark is not among them: parsers may ignore it, and body-parser does. */
const MALFORMED_JSON = ['{', '{"message": "unterminated', "{'message': 'single quotes'}", '{"message": "x",}', '{"message": NaN}', '[1, 2', 'undefined', '\u0000', '{"a":1}{"b":2}', '{"message": "\\uZZZZ"}', '{"message": "\u0001"}', ' '];
const OTHER_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/octet-stream', 'json', '*/*'];
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'PURGE'];

/** The cases of one operation. */
export function casesFor(world: FuzzWorld, operation: Operation, operations: readonly Operation[], context: SchemaContext): fc.Arbitrary<Omit<RequestCase, 'credential'>> {
  const base = { operationId: operation.operationId };
  const valid = fc.tuple(validParameters(world, operation, context), validBody(world, operation, context)).map(([values, body]) => ({ ...base, kind: 'valid' as const, ...build(operation, values, body) }));
  const kinds: fc.WeightedArbitrary<Omit<RequestCase, 'credential'>>[] = [{ weight: 150, arbitrary: valid }];

  const badParameter = invalidParameter(world, operation, context);
  if (badParameter !== undefined) {
    kinds.push({
      weight: 30,
      arbitrary: fc.tuple(badParameter, validBody(world, operation, context)).map(([bad, body]) => ({ ...base, kind: 'invalidParameter' as const, violation: bad.why, ...build(operation, bad.values, body, bad.raw) })),
    });
  }
  if (operation.body !== undefined) {
    const badBody = invalidValues(operation.body.schema, context) ?? fc.constant<Invalid>({ value: null, why: 'null' });
    const withBody = (kind: CaseKind, body: fc.Arbitrary<{ text: string; why: string; contentType?: string }>) =>
      fc.tuple(validParameters(world, operation, context), body).map(([values, made]) => {
        const built = build(operation, values, {});
        return { ...base, kind, violation: made.why, ...built, headers: { ...built.headers, 'Content-Type': made.contentType ?? 'application/json' }, body: made.text };
      });
    kinds.push(
      { weight: 30, arbitrary: withBody('invalidBody', badBody.map((bad) => ({ text: JSON.stringify(bad.value) ?? 'null', why: bad.why }))) },
      { weight: 10, arbitrary: withBody('malformedJson', fc.constantFrom(...MALFORMED_JSON).map((text) => ({ text, why: `malformed JSON ${JSON.stringify(text)}` }))) },
      {
        weight: 10,
        arbitrary: withBody(
          'wrongContentType',
          fc.tuple(valuesOf(operation.body.schema, context), fc.constantFrom(...OTHER_CONTENT_TYPES)).map(([body, contentType]) => ({ text: JSON.stringify(body), contentType, why: `Content-Type ${contentType}` })),
        ),
      },
      { weight: 3, arbitrary: withBody('hugeBody', fc.constant({ text: JSON.stringify({ message: 'x'.repeat(world.hugeBodyBytes) }), why: `a ${world.hugeBodyBytes}-byte body` })) },
    );
  }

  const listed = methodsOf(operations, operation.template);
  const others = OTHER_METHODS.filter((method) => !listed.includes(method));
  kinds.push({
    weight: 15,
    arbitrary: fc.tuple(validParameters(world, operation, context), fc.constantFrom(...others)).map(([values, method]) => ({ ...base, kind: 'otherMethod' as const, ...build(operation, values, undefined), method })),
  });
  kinds.push({
    weight: 5,
    arbitrary: fc.tuple(validParameters(world, operation, context), fc.constantFrom('trailingSlash', 'upperCase', 'doubleSlash', 'suffix')).map(([values, variant]) => {
      const built = build(operation, values, undefined);
      const path = variant === 'trailingSlash' ? `${built.path}/` : variant === 'upperCase' ? built.path.toUpperCase() : variant === 'doubleSlash' ? `/${built.path}` : `${built.path}/x`;
      return { ...base, kind: 'nearPath' as const, violation: variant, ...built, path };
    }),
  });
  kinds.push({
    weight: 5,
    arbitrary: fc.tuple(validParameters(world, operation, context), validBody(world, operation, context), fc.constantFrom('unknown', 'repeated', 'bracketed')).map(([values, body, variant]) => {
      const built = build(operation, values, body);
      const first = built.query[0];
      const extra: [string, string][] = variant === 'repeated' && first !== undefined ? [first] : variant === 'bracketed' ? [['status[x]', 'y']] : [['unknownParameter', '1']];
      return { ...base, kind: 'extraQuery' as const, violation: variant, ...built, query: [...built.query, ...extra] };
    }),
  });
  return fc.oneof(...kinds);
}

/** Cases over every operation (by weight), each with a credential (by weight). */
export function requestCases(world: FuzzWorld, operations: readonly Operation[], context: SchemaContext): fc.Arbitrary<RequestCase> {
  const credentials = Object.entries(world.credentials).map(([name, credential]) => ({ weight: credential.weight, arbitrary: fc.constant(name) }));
  const perOperation = operations.map((operation) => ({ weight: world.weights?.[operation.operationId] ?? 10, arbitrary: casesFor(world, operation, operations, context) }));
  return fc.tuple(fc.oneof(...perOperation), fc.oneof(...credentials)).map(([built, credential]) => ({ ...built, credential }));
}
