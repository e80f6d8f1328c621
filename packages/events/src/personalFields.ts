import type { SupportEvent } from './event.js';
import { EVENT_SCHEMAS } from './generated/eventSchemas.js';
import { SchemaSetError, type AvroField, type AvroSchema, type AvroSchemaObject, type EventSchemaDefinition } from './schemaSet.js';

/**
 * Personal fields: the schemas mark a field `"personal": true` when its text may hold a
 * customer's personal data (their message, a reply to them, a step's output). Those fields are
 * sealed with the customer's data key when an event is encoded and opened when it is decoded, so
 * erasing the key makes them unreadable on every topic and in every copy of the log
 * (crypto-shredding). Ids, enums, amounts and timestamps stay clear: the platform routes, counts
 * and audits by them.
 *
 * A path is relative to the event's `data`: field names, `*` for every value of a map and `[]`
 * for every item of an array.
 */
export type PersonalPath = readonly string[];

/** What a personal field reads as once its customer's data key is erased. */
export const ERASED_FIELD = '[erased]';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

const NAMED_KINDS = new Set(['record', 'error', 'enum', 'fixed']);

const isNullableString = (branches: readonly AvroSchema[]) =>
  branches.includes('string') && branches.every((branch) => branch === 'string' || branch === 'null');

/**
 * What the schema walk shows its visitor: a type as it stands at `path` (a name already resolved to
 * the type it names), and the record field it belongs to (the nearest one: a map's values, an
 * array's items and a union's branches belong to the field that holds them; none at the top).
 */
type SchemaVisitor = (type: AvroSchema, path: PersonalPath, field: AvroField | undefined) => 'enter' | 'skip';

/**
 * The one walk over an event schema, for the personal fields and the timestamps alike. It visits
 * every top-level field's type, the paths of `data` from `[]` and those of the envelope under
 * `(metadata)` (or `(<field>)`): the envelope defines named types that `data` may use. Inside, it
 * follows records' fields, map values (`*`), array items (`[]`), union branches and named
 * references (a record is not entered again inside itself, so a recursive type ends), and goes
 * into a type only when the visitor says `enter`. A name it has not seen yet is left out.
 */
function walkSchema(definition: EventSchemaDefinition, visit: SchemaVisitor): void {
  const named = new Map<string, AvroSchemaObject>();
  const visiting = new Set<string>();

  function walk(type: AvroSchema, path: PersonalPath, field: AvroField | undefined): void {
    if (typeof type === 'string' && !PRIMITIVES.has(type)) {
      const reference = named.get(type);
      if (reference !== undefined) walk(reference, path, field);
      return;
    }
    if (typeof type === 'object' && !Array.isArray(type)) {
      const object = type as AvroSchemaObject;
      if (typeof object.type === 'string' && NAMED_KINDS.has(object.type)) named.set(String(object.name), object);
    }
    if (visit(type, path, field) === 'skip' || typeof type === 'string') return;
    if (Array.isArray(type)) {
      for (const branch of type as readonly AvroSchema[]) walk(branch, path, field);
      return;
    }
    const object = type as AvroSchemaObject;
    switch (object.type) {
      case 'record':
      case 'error': {
        const name = String(object.name);
        if (visiting.has(name)) return;
        visiting.add(name);
        for (const member of object.fields ?? []) walk(member.type, [...path, member.name], member);
        visiting.delete(name);
        return;
      }
      case 'enum':
      case 'fixed':
        return;
      case 'map':
        walk(object.values ?? 'null', [...path, '*'], field);
        return;
      case 'array':
        walk(object.items ?? 'null', [...path, '[]'], field);
        return;
      default:
        // `{ "type": "string", … }` and the like: the type it wraps.
        walk(object.type, path, field);
    }
  }

  // A top-level field (`data`, `metadata`) belongs to no record field: only what it holds can be personal.
  for (const field of definition.schema.fields ?? []) walk(field.type, field.name === 'data' ? [] : [`(${field.name})`], undefined);
}

const inEnvelope = (path: PersonalPath) => path[0]?.startsWith('(') === true;

/** The personal paths of one event schema (under its `data` field). */
export function personalPathsOf(definition: EventSchemaDefinition): PersonalPath[] {
  const paths: PersonalPath[] = [];
  const fail = (path: PersonalPath, message: string) => new SchemaSetError(`${definition.eventType}: field data.${path.join('.')} ${message}`);
  walkSchema(definition, (type, path, field) => {
    const personal = field?.personal === true;
    if (typeof type === 'string') {
      if (personal && type !== 'string') throw fail(path, `is marked personal but is a ${type}; only strings can be sealed`);
      if (personal) paths.push(path);
      return 'skip';
    }
    if (Array.isArray(type)) {
      if (!personal) return 'enter';
      if (!isNullableString(type as readonly AvroSchema[])) throw fail(path, 'is marked personal but is a union of more than null and string');
      paths.push(path);
      return 'skip';
    }
    const kind = (type as AvroSchemaObject).type;
    if (personal && (kind === 'record' || kind === 'error')) throw fail(path, 'is marked personal but is a record; mark its string fields instead');
    if (personal && (kind === 'enum' || kind === 'fixed')) throw fail(path, `is marked personal but is an ${kind}`);
    return 'enter';
  });
  if (paths.some(inEnvelope)) throw new SchemaSetError(`${definition.eventType}: the envelope may not have personal fields`);
  return paths;
}

/** Paths (as for personal fields) of the timestamps in an event schema's data. */
export function timestampPathsOf(definition: EventSchemaDefinition): PersonalPath[] {
  const paths: PersonalPath[] = [];
  walkSchema(definition, (type, path) => {
    const logicalType = typeof type === 'object' && !Array.isArray(type) ? (type as AvroSchemaObject).logicalType : undefined;
    if (logicalType !== 'timestamp-millis' && logicalType !== 'timestamp-micros') return 'enter';
    paths.push(path);
    return 'skip';
  });
  return paths.filter((path) => !inEnvelope(path));
}

const TIMESTAMPS = new Map<string, readonly PersonalPath[]>(
  EVENT_SCHEMAS.map((definition) => [definition.eventType, timestampPathsOf(definition)]),
);

/**
 * Event data read back from JSON (a read model's stored payload): its timestamps, which JSON
 * turned into ISO strings, are Dates again, as a decoded event has them.
 */
export function reviveJsonData<T>(type: string, data: T): T {
  let result: unknown = data;
  for (const path of TIMESTAMPS.get(type) ?? []) result = rebuildAny(result, path, 0, (value) => (typeof value === 'string' || typeof value === 'number' ? new Date(value) : value));
  return result as T;
}

function rebuildAny(value: unknown, path: PersonalPath, index: number, next: (value: unknown) => unknown): unknown {
  if (index === path.length) return next(value);
  if (value === null || typeof value !== 'object') return value;
  const step = path[index]!;
  if (step === '[]') return Array.isArray(value) ? value.map((item: unknown) => rebuildAny(item, path, index + 1, next)) : value;
  const record = value as Record<string, unknown>;
  if (step === '*') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) copy[key] = rebuildAny(item, path, index + 1, next);
    return copy;
  }
  if (!Object.hasOwn(record, step)) return value;
  return { ...record, [step]: rebuildAny(record[step], path, index + 1, next) };
}

const PATHS = new Map<string, readonly PersonalPath[]>(
  EVENT_SCHEMAS.map((definition) => [definition.eventType, personalPathsOf(definition)]),
);

/** The personal paths of an event type (none for an unknown type). */
export function personalPaths(type: string): readonly PersonalPath[] {
  return PATHS.get(type) ?? [];
}

/** The customer whose data key seals an event: the envelope's, else the request's or reply's own `customerId`. */
export function customerOf(event: Pick<SupportEvent, 'metadata' | 'data'>): string | null {
  const fromMetadata = event.metadata.customerId;
  if (typeof fromMetadata === 'string' && fromMetadata !== '') return fromMetadata;
  const fromData = (event.data as { customerId?: unknown } | null)?.customerId;
  return typeof fromData === 'string' && fromData !== '' ? fromData : null;
}

function rebuild(value: unknown, path: PersonalPath, index: number, next: (text: string) => string): unknown {
  return rebuildAny(value, path, index, (leaf) => (typeof leaf === 'string' ? next(leaf) : leaf));
}

/** A copy of `data` with every personal string replaced by `map(value)`; the same object when the type has none. */
export function mapPersonalFields<T>(type: string, data: T, map: (value: string) => string): T {
  let result: unknown = data;
  for (const path of personalPaths(type)) result = rebuild(result, path, 0, map);
  return result as T;
}

/**
 * The asynchronous form: every personal string of `data` goes through `map` at once (in parallel),
 * then a copy is built with the answers. Returns `data` itself when there is nothing to change.
 */
export async function mapPersonalFieldsAsync<T>(type: string, data: T, map: (value: string) => Promise<string>): Promise<T> {
  const paths = personalPaths(type);
  if (paths.length === 0) return data;
  const texts: string[] = [];
  mapPersonalFields(type, data, (text) => {
    texts.push(text);
    return text;
  });
  if (texts.length === 0) return data;
  const answers = await Promise.all(texts.map(map));
  if (answers.every((answer, index) => answer === texts[index])) return data;
  let position = 0;
  return mapPersonalFields(type, data, () => answers[position++]!);
}

/** The event's data as it reads once its customer's key is erased: every personal string is `[erased]`. */
export function erasePersonalFields<T>(type: string, data: T): T {
  return mapPersonalFields(type, data, () => ERASED_FIELD);
}

/** Seals and opens personal fields; `@supportstream/privacy`'s KeyVault is one. */
export interface FieldCipher {
  encrypt(tenantId: string, customerId: string, plaintext: string): Promise<string>;
  /** Opens a sealed value (`{ erased: true }` when its key was erased); clear text comes back as it is. */
  reveal(tenantId: string, customerId: string, value: string): Promise<string | { readonly erased: true }>;
}
