import type { SupportEvent } from './event.js';
import { EVENT_SCHEMAS } from './generated/eventSchemas.js';
import { SchemaSetError, type AvroSchema, type AvroSchemaObject, type EventSchemaDefinition } from './schemaSet.js';

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

const isNullableString = (branches: readonly AvroSchema[]) =>
  branches.includes('string') && branches.every((branch) => branch === 'string' || branch === 'null');

/** The personal paths of one event schema (under its `data` field). */
export function personalPathsOf(definition: EventSchemaDefinition): PersonalPath[] {
  const named = new Map<string, AvroSchemaObject>();
  const paths: PersonalPath[] = [];
  const visiting = new Set<string>();
  const fail = (path: readonly string[], message: string) =>
    new SchemaSetError(`${definition.eventType}: field data.${path.join('.')} ${message}`);

  function walk(type: AvroSchema, path: readonly string[], personal: boolean): void {
    if (typeof type === 'string') {
      if (type === 'string') {
        if (personal) paths.push(path);
        return;
      }
      if (PRIMITIVES.has(type)) {
        if (personal) throw fail(path, `is marked personal but is a ${type}; only strings can be sealed`);
        return;
      }
      const reference = named.get(type);
      if (reference !== undefined) walk(reference, path, personal);
      return;
    }
    if (Array.isArray(type)) {
      const branches = type as readonly AvroSchema[];
      if (personal && isNullableString(branches)) {
        paths.push(path);
        return;
      }
      if (personal) throw fail(path, 'is marked personal but is a union of more than null and string');
      for (const branch of branches) walk(branch, path, false);
      return;
    }
    const object = type as AvroSchemaObject;
    switch (object.type) {
      case 'record':
      case 'error': {
        if (personal) throw fail(path, 'is marked personal but is a record; mark its string fields instead');
        const name = String(object.name);
        named.set(name, object);
        if (visiting.has(name)) return;
        visiting.add(name);
        for (const field of object.fields ?? []) walk(field.type, [...path, field.name], field.personal === true);
        visiting.delete(name);
        return;
      }
      case 'enum':
      case 'fixed':
        if (personal) throw fail(path, `is marked personal but is an ${String(object.type)}`);
        named.set(String(object.name), object);
        return;
      case 'map':
        walk(object.values ?? 'null', [...path, '*'], personal);
        return;
      case 'array':
        walk(object.items ?? 'null', [...path, '[]'], personal);
        return;
      default:
        walk(object.type, path, personal);
    }
  }

  const fields = definition.schema.fields ?? [];
  for (const field of fields) {
    if (field.name === 'data') walk(field.type, [], false);
    // The envelope is walked for its named types only: it must never hold a personal field.
    else if (field.name === 'metadata') walk(field.type, ['(metadata)'], false);
  }
  const inMetadata = paths.find((path) => path[0] === '(metadata)');
  if (inMetadata !== undefined) throw new SchemaSetError(`${definition.eventType}: the envelope may not have personal fields`);
  return paths;
}

/** Paths (as for personal fields) of the timestamps in an event schema's data. */
export function timestampPathsOf(definition: EventSchemaDefinition): PersonalPath[] {
  const named = new Map<string, AvroSchemaObject>();
  const paths: PersonalPath[] = [];
  const visiting = new Set<string>();
  function walk(type: AvroSchema, path: readonly string[]): void {
    if (typeof type === 'string') {
      const reference = PRIMITIVES.has(type) ? undefined : named.get(type);
      if (reference !== undefined) walk(reference, path);
      return;
    }
    if (Array.isArray(type)) {
      for (const branch of type as readonly AvroSchema[]) walk(branch, path);
      return;
    }
    const object = type as AvroSchemaObject;
    if (object.logicalType === 'timestamp-millis' || object.logicalType === 'timestamp-micros') {
      paths.push(path);
      return;
    }
    if (object.type === 'record' || object.type === 'error') {
      const name = String(object.name);
      named.set(name, object);
      if (visiting.has(name)) return;
      visiting.add(name);
      for (const field of object.fields ?? []) walk(field.type, [...path, field.name]);
      visiting.delete(name);
    } else if (object.type === 'enum' || object.type === 'fixed') named.set(String(object.name), object);
    else if (object.type === 'map') walk(object.values ?? 'null', [...path, '*']);
    else if (object.type === 'array') walk(object.items ?? 'null', [...path, '[]']);
    else walk(object.type, path);
  }
  for (const field of definition.schema.fields ?? []) {
    if (field.name === 'data') walk(field.type, []);
    else walk(field.type, ['(metadata)']);
  }
  return paths.filter((path) => path[0] !== '(metadata)');
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
