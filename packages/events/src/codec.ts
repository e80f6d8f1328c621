import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { InvalidInputError, PlatformError, TransientError } from '@supportstream/errors';
import type avro from 'avsc';
import { isEventType, type SupportEvent } from './event.js';
import { EVENT_SCHEMAS } from './generated/eventSchemas.js';
import type { EventType } from './generated/types.js';
import { logicalTypes, parseAvro } from './logicalTypes.js';
import { customerOf, ERASED_FIELD, mapPersonalFieldsAsync, personalPaths, type FieldCipher } from './personalFields.js';
import { namespacedDefinitions, type EventSchemaDefinition } from './schemaSet.js';

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary. */
const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export type DecodeFailure = 'UNDECODABLE' | 'UNKNOWN_SCHEMA_ID' | 'UNKNOWN_EVENT_TYPE' | 'INVALID_EVENT';

/** The bytes can never become a valid event: dead-letter them, do not retry. */
export class EventDecodeError extends InvalidInputError {
  constructor(code: DecodeFailure, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, options);
  }
}

export class EventEncodeError extends InvalidInputError {
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super('INVALID_EVENT', message, { details, cause });
  }
}

export interface DecodedEvent {
  readonly event: SupportEvent;
  readonly schemaId: number;
  /** Full name of the writer's record, e.g. io.supportstream.events.RunCompleted. */
  readonly writerSchema: string;
}

export interface EventCodec {
  /** Looks up (or, with autoRegister, registers) the schema id of every event type up front. */
  prepare(): Promise<void>;
  encode(event: SupportEvent): Promise<Buffer>;
  decode(bytes: Buffer | null): Promise<DecodedEvent>;
  schemaIdOf(type: EventType): Promise<number>;
}

export interface EventCodecOptions {
  readonly registryUrl: string;
  /** Register missing schemas on first use. Off in production: `schemas:register` does it once. */
  readonly autoRegister?: boolean;
  readonly definitions?: readonly EventSchemaDefinition[];
  /** SUPPORTSTREAM_NAMESPACE: schemas are looked up (and auto-registered) under the namespace's subjects. */
  readonly namespace?: string | undefined;
  /**
   * Seals the personal fields of every event that names its customer (`personalFields.ts`) on
   * encode, and opens them on decode; an erased customer's fields decode as `[erased]`. Without
   * one, events are written as given and sealed values are read as they are.
   */
  readonly cipher?: FieldCipher;
}

interface Reader {
  readonly definition: EventSchemaDefinition;
  readonly type: avro.Type;
}

export function createEventCodec(options: EventCodecOptions): EventCodec {
  const registry = new SchemaRegistry(
    { host: options.registryUrl.replace(/\/+$/, ''), clientId: 'supportstream', retry: { retries: 2 } },
    { [SchemaType.AVRO]: { logicalTypes } },
  );
  const readers = new Map<string, Reader>();
  for (const definition of namespacedDefinitions(options.definitions ?? EVENT_SCHEMAS, options.namespace)) {
    readers.set(definition.eventType, { definition, type: parseAvro(definition.schema) });
  }
  const readerByFullName = new Map([...readers.values()].map((reader) => [reader.definition.fullName, reader]));
  const ids = new Map<string, Promise<number>>();
  const resolvers = new Map<number, Promise<{ reader: Reader; resolver: avro.Resolver }>>();

  function readerOf(type: string): Reader {
    const reader = readers.get(type);
    if (!reader) throw new EventEncodeError(`unknown event type ${JSON.stringify(type)}`, { type });
    return reader;
  }

  function resolveId(type: EventType): Promise<number> {
    let pending = ids.get(type);
    if (!pending) {
      const { definition } = readerOf(type);
      const schema = { type: SchemaType.AVRO, schema: JSON.stringify(definition.schema) } as const;
      pending = (async () => {
        try {
          return await registry.getRegistryIdBySchema(definition.subject, schema);
        } catch (error) {
          if (!isNotFound(error)) throw classifyRegistryError(error, `looking up the schema of ${type}`);
          if (!options.autoRegister) {
            throw new PlatformError('SCHEMA_NOT_REGISTERED', `schema ${definition.subject} is not registered; run \`npm run schemas:register\``, {
              cause: error,
            });
          }
          try {
            return (await registry.register(schema, { subject: definition.subject, compatibility: 'BACKWARD_TRANSITIVE' as never })).id;
          } catch (registerError) {
            throw classifyRegistryError(registerError, `registering the schema of ${type}`);
          }
        }
      })();
      // A failed lookup must not be cached: the next call tries again.
      pending.catch(() => ids.delete(type));
      ids.set(type, pending);
    }
    return pending;
  }

  function resolverFor(schemaId: number): Promise<{ reader: Reader; resolver: avro.Resolver }> {
    let pending = resolvers.get(schemaId);
    if (!pending) {
      pending = (async () => {
        let writer: avro.Type;
        try {
          writer = (await registry.getSchema(schemaId)) as unknown as avro.Type;
        } catch (error) {
          if (isNotFound(error)) {
            throw new EventDecodeError('UNKNOWN_SCHEMA_ID', `schema id ${schemaId} is not known to the registry`, { cause: error, details: { schemaId } });
          }
          throw classifyRegistryError(error, `fetching schema id ${schemaId}`);
        }
        const writerName = writer.name ?? '(unnamed)';
        const reader = readerByFullName.get(writerName);
        if (!reader) {
          throw new EventDecodeError('UNKNOWN_EVENT_TYPE', `schema id ${schemaId} is ${writerName}, not an event this platform knows`, {
            details: { schemaId, writerSchema: writerName },
          });
        }
        try {
          return { reader, resolver: reader.type.createResolver(writer) };
        } catch (error) {
          throw new EventDecodeError('UNDECODABLE', `writer schema ${schemaId} cannot be read as the current ${writerName}: ${(error as Error).message}`, {
            cause: error,
            details: { schemaId },
          });
        }
      })();
      // Only permanent answers are cached; a registry outage must be retried.
      pending.catch((error: unknown) => {
        if (!(error instanceof EventDecodeError)) resolvers.delete(schemaId);
      });
      resolvers.set(schemaId, pending);
    }
    return pending;
  }

  const { cipher } = options;

  /** The event's data with its personal fields sealed, when there is a cipher and a customer. */
  async function sealed(event: SupportEvent): Promise<unknown> {
    const customerId = customerOf(event);
    if (cipher === undefined || customerId === null || personalPaths(event.type).length === 0) return event.data;
    const { tenantId } = event.metadata;
    // A value an external producer sealed already is kept as it is.
    return mapPersonalFieldsAsync(event.type, event.data, (value) => (isSealedValue(value) ? Promise.resolve(value) : cipher.encrypt(tenantId, customerId, value)));
  }

  /** The decoded event with its sealed fields opened (`[erased]` for an erased key). */
  async function opened(event: SupportEvent, schemaId: number): Promise<SupportEvent> {
    if (cipher === undefined || personalPaths(event.type).length === 0) return event;
    const customerId = customerOf(event);
    const { tenantId } = event.metadata;
    try {
      const data = await mapPersonalFieldsAsync(event.type, event.data, async (value) => {
        if (!isSealedValue(value)) return value;
        if (customerId === null) {
          throw new InvalidInputError('PRIVACY_CUSTOMER_MISSING', 'a personal field is sealed but the event names no customer (metadata.customerId)');
        }
        const clear = await cipher.reveal(tenantId, customerId, value);
        return typeof clear === 'string' ? clear : ERASED_FIELD;
      });
      return data === event.data ? event : ({ ...event, data } as SupportEvent);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      throw new EventDecodeError('INVALID_EVENT', `invalid ${event.type}: a personal field does not open: ${error.message}`, {
        cause: error,
        details: { schemaId, reason: error.code },
      });
    }
  }

  return {
    async prepare() {
      await Promise.all([...readers.keys()].map((type) => resolveId(type as EventType)));
    },

    schemaIdOf: resolveId,

    async encode(event) {
      const { type: avroType, definition } = readerOf(event.type);
      const problems = semanticProblems(event, definition.eventType);
      if (problems.length > 0) throw new EventEncodeError(`invalid ${event.type}: ${problems.join('; ')}`, { problems });
      const record = { metadata: event.metadata, data: await sealed(event) };
      let payload: Buffer;
      try {
        payload = avroType.toBuffer(record);
      } catch (error) {
        const paths: string[] = [];
        avroType.isValid(record, { errorHook: (path) => paths.push(path.join('.')) });
        throw new EventEncodeError(`invalid ${event.type}: ${paths.length > 0 ? `bad value at ${paths.join(', ')}` : (error as Error).message}`, { paths }, error);
      }
      const schemaId = await resolveId(definition.eventType as EventType);
      const header = Buffer.alloc(HEADER_LENGTH);
      header.writeUInt8(MAGIC_BYTE, 0);
      header.writeInt32BE(schemaId, 1);
      return Buffer.concat([header, payload]);
    },

    async decode(bytes) {
      if (!bytes || bytes.length < HEADER_LENGTH) {
        throw new EventDecodeError('UNDECODABLE', `message value is ${bytes ? `${bytes.length} bytes` : 'empty'}, shorter than the wire-format header`);
      }
      if (bytes.readUInt8(0) !== MAGIC_BYTE) {
        throw new EventDecodeError('UNDECODABLE', `message does not start with the schema-registry magic byte (found 0x${bytes.readUInt8(0).toString(16)})`);
      }
      const schemaId = bytes.readInt32BE(1);
      const { reader, resolver } = await resolverFor(schemaId);
      let record: { metadata: SupportEvent['metadata']; data: unknown };
      try {
        record = reader.type.fromBuffer(bytes.subarray(HEADER_LENGTH), resolver) as typeof record;
      } catch (error) {
        throw new EventDecodeError('UNDECODABLE', `Avro payload is not a valid ${reader.definition.fullName}: ${(error as Error).message}`, {
          cause: error,
          details: { schemaId },
        });
      }
      const event = { type: record.metadata.type, data: record.data, metadata: record.metadata } as SupportEvent;
      const problems = semanticProblems(event, reader.definition.eventType);
      if (problems.length > 0) {
        throw new EventDecodeError('INVALID_EVENT', `invalid ${reader.definition.eventType}: ${problems.join('; ')}`, { details: { schemaId, problems } });
      }
      return { event: await opened(event, schemaId), schemaId, writerSchema: reader.definition.fullName };
    },
  };
}

/** Rules Avro cannot express: the envelope's ids are present and its type matches the record. */
function semanticProblems(event: SupportEvent, expectedType: string): string[] {
  const problems: string[] = [];
  if (!isEventType(event.type) || event.type !== expectedType) problems.push(`type ${JSON.stringify(event.type)} does not match ${expectedType}`);
  const metadata = event.metadata as unknown as Partial<Record<string, unknown>> | undefined;
  if (!metadata) return [...problems, 'metadata is missing'];
  if (metadata['type'] !== event.type) problems.push(`metadata.type ${JSON.stringify(metadata['type'])} differs from type ${event.type}`);
  for (const field of ['eventId', 'conversationId', 'requestId', 'tenantId', 'correlationId', 'producer']) {
    const value = metadata[field];
    if (typeof value !== 'string' || value.trim().length === 0) problems.push(`metadata.${field} must be a non-empty string`);
  }
  const occurredAt = metadata['occurredAt'];
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) problems.push('metadata.occurredAt must be a valid date');
  return problems;
}

/** The sealed-value prefix of `@supportstream/privacy` (`enc:v1:<keyId>:<payload>`); the cipher checks the rest. */
const isSealedValue = (value: string): boolean => value.startsWith('enc:v1:');

function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ('status' in error && error.status === 404) return true;
  // getRegistryIdBySchema wraps the 404 response in a ConfluentSchemaRegistryError.
  return error instanceof Error && /\b404\b|not found/i.test(error.message) && !('status' in error);
}

// The registry client reports a connection that failed (no HTTP answer at all) as a response with
// status 400 and the socket error in its message; that is an outage, not a bad request.
const CONNECTION_FAILURE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|socket hang up)\b/;

function classifyRegistryError(error: unknown, action: string): PlatformError {
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : undefined;
  const reason = (error as Error).message ?? String(error);
  const message = `schema registry failed while ${action}: ${reason}`;
  const noAnswer = status === 400 && CONNECTION_FAILURE.test(reason);
  if (status !== undefined && status >= 400 && status < 500 && status !== 429 && !noAnswer) {
    return new PlatformError(`REGISTRY_HTTP_${status}`, message, { cause: error, retriable: false });
  }
  return new TransientError('REGISTRY_UNAVAILABLE', message, { cause: error });
}
