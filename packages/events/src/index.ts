export * from './generated/types.js';
export { EVENT_SCHEMAS } from './generated/eventSchemas.js';
export { composeEventSchemas, namespacedDefinitions, subjectFor, SchemaSetError, type EventSchemaDefinition, type SchemaFile, type AvroSchema, type AvroSchemaObject } from './schemaSet.js';
export { generateTypes } from './typeGenerator.js';
export { isEventOf, isEventType, topicOf, type EventOfTopic, type EventTypeOf, type SupportEvent } from './event.js';
export { causedBy, createEventFactory, systemClock, type Clock, type EventContext, type EventFactory, type EventFactoryOptions } from './envelope.js';
export { deterministicEventId, randomId, stableId, type IdGenerator, type StepEventKey } from './ids.js';
export { createEventCodec, EventDecodeError, EventEncodeError, type DecodedEvent, type DecodeFailure, type EventCodec, type EventCodecOptions } from './codec.js';
export { createRegistryClient, RegistryHttpError, type CompatibilityLevel, type CompatibilityResult, type RegisteredVersion, type RegistryClient, type SubjectVersion } from './registryClient.js';
export { parseAvro } from './logicalTypes.js';
export { readSchemaDir } from './schemaFiles.js';
export {
  checkAgainstHistory,
  checkAgainstRegistry,
  EVENT_COMPATIBILITY,
  registerEventSchemas,
  type CompatibilityProblem,
  type RegistrationResult,
} from './schemaRegistration.js';
export {
  customerOf,
  erasePersonalFields,
  ERASED_FIELD,
  mapPersonalFields,
  mapPersonalFieldsAsync,
  personalPaths,
  personalPathsOf,
  reviveJsonData,
  timestampPathsOf,
  type FieldCipher,
  type PersonalPath,
} from './personalFields.js';
