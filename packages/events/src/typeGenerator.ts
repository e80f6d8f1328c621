import { SchemaSetError, type AvroSchema, type AvroSchemaObject, type EventSchemaDefinition } from './schemaSet.js';

/**
 * Generates the TypeScript declarations for the composed event schemas, so the types are
 * derived from `schemas/*.avsc` and never written by hand. Records become readonly interfaces,
 * enums string-literal unions, `["null", T]` becomes `T | null`, timestamp-millis a Date.
 */
export function generateTypes(definitions: readonly EventSchemaDefinition[]): string {
  const declarations = new Map<string, string>();
  const shapes = new Map<string, string>();

  const simpleName = (fullName: string): string => fullName.slice(fullName.lastIndexOf('.') + 1);
  const doc = (text: unknown, indent = ''): string => (typeof text === 'string' ? `${indent}/** ${text} */\n` : '');

  const declare = (fullName: string, shape: string, code: string): void => {
    const name = simpleName(fullName);
    const existing = shapes.get(name);
    if (existing !== undefined && existing !== shape) throw new SchemaSetError(`type ${name} has two different definitions`);
    if (existing === undefined) {
      shapes.set(name, shape);
      declarations.set(name, code);
    }
  };

  const tsType = (schema: AvroSchema): string => {
    if (typeof schema === 'string') {
      switch (schema) {
        case 'null':
          return 'null';
        case 'boolean':
          return 'boolean';
        case 'int':
        case 'long':
        case 'float':
        case 'double':
          return 'number';
        case 'bytes':
          return 'Buffer';
        case 'string':
          return 'string';
        default:
          return simpleName(schema);
      }
    }
    if (Array.isArray(schema)) {
      const branches = (schema as readonly AvroSchema[]).map(tsType);
      return branches.join(' | ');
    }
    const object = schema as AvroSchemaObject;
    if (object.logicalType === 'timestamp-millis' || object.logicalType === 'timestamp-micros') return 'Date';
    switch (object.type) {
      case 'record':
      case 'error': {
        const fullName = String(object.name);
        const fields = (object.fields ?? [])
          // `"omittable": true` (a field added later, with a default): writers may leave it out and
          // readers always get a value, so it is optional here.
          .map((field) => `${doc(field.doc, '  ')}  readonly ${field.name}${field.omittable === true ? '?' : ''}: ${tsType(field.type)};`)
          .join('\n');
        declare(fullName, JSON.stringify(object), `${doc(object.doc)}export interface ${simpleName(fullName)} {\n${fields}\n}`);
        return simpleName(fullName);
      }
      case 'enum': {
        const fullName = String(object.name);
        const symbols = object.symbols ?? [];
        const name = simpleName(fullName);
        declare(
          fullName,
          JSON.stringify(object),
          `${doc(object.doc)}export type ${name} = ${symbols.map((symbol) => `'${symbol}'`).join(' | ')};\n` +
            `export const ${name}Values = [${symbols.map((symbol) => `'${symbol}'`).join(', ')}] as const satisfies readonly ${name}[];`,
        );
        return name;
      }
      case 'fixed':
        return 'Buffer';
      case 'array':
        return `readonly ${wrap(tsType(object.items ?? 'null'))}[]`;
      case 'map':
        return `Readonly<Record<string, ${tsType(object.values ?? 'null')}>>`;
      default:
        return tsType(object.type);
    }
  };
  const wrap = (type: string): string => (type.includes(' ') ? `(${type})` : type);

  const dataTypes = definitions.map((definition) => {
    tsType(definition.schema);
    const dataField = definition.schema.fields?.find((field) => field.name === 'data');
    return { ...definition, dataType: tsType(dataField?.type ?? 'null') };
  });

  const topics = [...new Set(definitions.map((definition) => definition.topic))].sort();
  const lines = [
    '// Generated from schemas/*.avsc by packages/events/scripts/generate.ts. Do not edit.',
    '/* eslint-disable */',
    '',
    ...[...declarations.values()].flatMap((code) => [code, '']),
    `export type EventType = ${dataTypes.map((definition) => `'${definition.eventType}'`).join(' | ')};`,
    `export const EVENT_TYPES = [${dataTypes.map((definition) => `'${definition.eventType}'`).join(', ')}] as const satisfies readonly EventType[];`,
    '',
    `export type TopicName = ${topics.map((topic) => `'${topic}'`).join(' | ')};`,
    `export const TOPIC_NAMES = [${topics.map((topic) => `'${topic}'`).join(', ')}] as const satisfies readonly TopicName[];`,
    '',
    '/** The data carried by each event type. */',
    'export interface EventDataMap {',
    ...dataTypes.map((definition) => `  readonly ${definition.eventType}: ${definition.dataType};`),
    '}',
    '',
    '/** The topic each event type is published to. */',
    'export const EVENT_TOPIC = {',
    ...dataTypes.map((definition) => `  ${definition.eventType}: '${definition.topic}',`),
    '} as const satisfies Record<EventType, TopicName>;',
    '',
  ];
  return lines.join('\n');
}
