/**
 * Turns the `schemas/` folder into self-contained event schemas.
 *
 * Layout: `schemas/common/*.avsc` hold shared named types (the envelope, Money, ...);
 * `schemas/<topic>/<EventType>.avsc` hold one event each. Shared types are written once and
 * inlined where an event first refers to them, so every registered schema stands alone
 * (no registry references needed) while the sources are never duplicated.
 */
import { normalizeNamespace, topicName } from '@supportstream/config';

export type AvroSchema = string | AvroSchemaObject | readonly AvroSchema[];
export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly default?: unknown;
  readonly doc?: string;
  /** Holds a customer's personal data: sealed with their data key (see `personalFields.ts`). */
  readonly personal?: boolean;
  /** Writers may leave it out (a field added later, with a default); optional in the generated types. */
  readonly omittable?: boolean;
}

export interface AvroSchemaObject {
  readonly type: AvroSchema;
  readonly name?: string;
  readonly namespace?: string;
  readonly fields?: readonly AvroField[];
  readonly items?: AvroSchema;
  readonly values?: AvroSchema;
  readonly symbols?: readonly string[];
  readonly logicalType?: string;
  readonly [key: string]: unknown;
}

export interface SchemaFile {
  /** Path relative to the schemas folder, e.g. `agent.actions/RunCompleted.avsc`. */
  readonly path: string;
  readonly content: string;
}

export interface EventSchemaDefinition {
  readonly eventType: string;
  readonly fullName: string;
  readonly topic: string;
  /** `<topic>-<record full name>`: one subject per event type, several per topic. */
  readonly subject: string;
  readonly schema: AvroSchemaObject;
}

export class SchemaSetError extends Error {
  override readonly name = 'SchemaSetError';
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const COMMON_DIR = 'common';

export function subjectFor(topic: string, fullName: string): string {
  return `${topic}-${fullName}`;
}

/**
 * The definitions as a namespace registers and looks them up: the subject follows the physical
 * topic (`<ns>.<topic>-<record full name>`), so each namespace evolves its schemas on its own
 * subjects. `topic` stays logical. No namespace: the definitions unchanged.
 */
export function namespacedDefinitions(definitions: readonly EventSchemaDefinition[], namespace: string | undefined): readonly EventSchemaDefinition[] {
  const ns = normalizeNamespace(namespace);
  if (!ns) return definitions;
  return definitions.map((definition) => ({ ...definition, subject: subjectFor(topicName(ns, definition.topic), definition.fullName) }));
}

function fullNameOf(schema: AvroSchemaObject, enclosingNamespace: string | undefined, file: string): string {
  if (typeof schema.name !== 'string') throw new SchemaSetError(`${file}: a named type has no name`);
  if (schema.name.includes('.')) return schema.name;
  const namespace = schema.namespace ?? enclosingNamespace;
  return namespace ? `${namespace}.${schema.name}` : schema.name;
}

function parseFile(file: SchemaFile): AvroSchemaObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.content);
  } catch (error) {
    throw new SchemaSetError(`${file.path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SchemaSetError(`${file.path}: the top level must be a named Avro type`);
  }
  return parsed as AvroSchemaObject;
}

/**
 * Builds one event's standalone schema: every reference to a shared type is replaced by its
 * definition the first time it appears (Avro forbids defining a name twice in one schema).
 */
function inlineShared(
  root: AvroSchemaObject,
  shared: ReadonlyMap<string, AvroSchemaObject>,
  file: string,
): AvroSchemaObject {
  const defined = new Set<string>();
  const visit = (schema: AvroSchema, namespace: string | undefined): AvroSchema => {
    if (typeof schema === 'string') {
      if (PRIMITIVES.has(schema)) return schema;
      const fullName = schema.includes('.') || !namespace ? schema : `${namespace}.${schema}`;
      if (defined.has(fullName)) return fullName;
      const definition = shared.get(fullName);
      if (!definition) throw new SchemaSetError(`${file}: unknown type ${JSON.stringify(schema)}`);
      return visit(definition, undefined);
    }
    if (Array.isArray(schema)) return schema.map((branch: AvroSchema) => visit(branch, namespace));
    const object = schema as AvroSchemaObject;
    if (object.type === 'record' || object.type === 'error' || object.type === 'enum' || object.type === 'fixed') {
      const fullName = fullNameOf(object, namespace, file);
      if (defined.has(fullName)) throw new SchemaSetError(`${file}: type ${fullName} is defined twice`);
      defined.add(fullName);
      const ownNamespace = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined;
      if (object.type !== 'record' && object.type !== 'error') return { ...object, name: fullName, namespace: undefined };
      return {
        ...object,
        name: fullName,
        namespace: undefined,
        fields: (object.fields ?? []).map((field) => ({ ...field, type: visit(field.type, ownNamespace) })),
      };
    }
    if (object.type === 'array') return { ...object, items: visit(object.items ?? 'null', namespace) };
    if (object.type === 'map') return { ...object, values: visit(object.values ?? 'null', namespace) };
    return { ...object, type: visit(object.type, namespace) };
  };
  return JSON.parse(JSON.stringify(visit(root, undefined))) as AvroSchemaObject;
}

/** Composes every event schema of a schemas folder given as files. Pure: no file system access. */
export function composeEventSchemas(files: readonly SchemaFile[]): EventSchemaDefinition[] {
  const shared = new Map<string, AvroSchemaObject>();
  const events: { topic: string; file: string; schema: AvroSchemaObject }[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    if (!file.path.endsWith('.avsc')) continue;
    const parts = file.path.split('/');
    if (parts.length !== 2) throw new SchemaSetError(`${file.path}: expected <topic>/<Event>.avsc or common/<Type>.avsc`);
    const [folder = '', base = ''] = parts;
    const schema = parseFile(file);
    if (folder === COMMON_DIR) {
      shared.set(fullNameOf(schema, undefined, file.path), schema);
      continue;
    }
    if (schema.type !== 'record') throw new SchemaSetError(`${file.path}: an event schema must be a record`);
    if (base !== `${String(schema.name)}.avsc`) throw new SchemaSetError(`${file.path}: file name must equal the record name ${String(schema.name)}`);
    events.push({ topic: folder, file: file.path, schema });
  }
  const seen = new Map<string, string>();
  return events.map(({ topic, file, schema }) => {
    const composed = inlineShared(schema, shared, file);
    const fullName = String(composed.name);
    const eventType = fullName.slice(fullName.lastIndexOf('.') + 1);
    const previous = seen.get(eventType);
    if (previous) throw new SchemaSetError(`${file}: event type ${eventType} is also declared in ${previous}`);
    seen.set(eventType, file);
    const fieldNames = (composed.fields ?? []).map((field) => field.name);
    if (fieldNames.join(',') !== 'metadata,data') {
      throw new SchemaSetError(`${file}: an event record has exactly the fields metadata and data, in that order`);
    }
    return { eventType, fullName, topic, subject: subjectFor(topic, fullName), schema: composed };
  });
}
