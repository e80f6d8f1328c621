export { createKafka, kafkaNames, namesOf, type AdminTopicOffset, type Kafka, type KafkaAdmin, type KafkaClient, type KafkaClientOptions, type KafkaNames } from './client.js';
export { groupOffsets, setGroupOffsets, topicOffsets, type GroupPartitionOffset, type TopicPartitionOffsets } from './admin.js';
export { createEventProducer, toMessage, type EventProducer, type EventProducerOptions, type OutgoingMessage, type PublishedRecord, type PublishOptions } from './producer.js';
export { createCoalescer, type CoalescerOptions } from './coalescer.js';
export {
  acceptsHandledTypes,
  createConsumerRunner,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type EventHandler,
  type EventHandlers,
  type HandlerContext,
  type RetryPolicy,
} from './consumer.js';
export { createProjectorRunner, type ProjectedBatch, type ProjectedRecord, type ProjectorRunner, type ProjectorRunnerOptions } from './projectorRunner.js';
export { createDeadLetterProducer, deadLetterHeaders, defaultDeadLetterTopic, type DeadLetter, type DeadLetterProducer } from './deadLetter.js';
export {
  createDeadLetterConsole,
  DeadLetterNotFoundError,
  DeadLetterNotReplayableError,
  MAX_LIMIT as MAX_DEAD_LETTER_LIST_LIMIT,
  UnknownDeadLetterTopicError,
  type DeadLetterConsole,
  type DeadLetterConsoleOptions,
  type DeadLetterFilter,
  type DeadLetterListEntry,
  type DeadLetterListing,
  type DeadLetterView,
  type ReplayOutcome,
  type ReplayRequest,
  type ReplayState,
} from './deadLetters/deadLetterConsole.js';
export { positionProblem, replayIdOf, type DeadLetterPosition, type DeadLetterRecord } from './deadLetters/deadLetterRecord.js';
export { OPERATOR_TENANT } from './deadLetters/replayEvent.js';
export { inMemoryReplayLedger, type ReplayCompletion, type ReplayEntry, type ReplayIntent, type ReplayLedger, type ReplayOnceResult } from './deadLetters/replayLedger.js';
export { postgresReplayLedger, ReplayInProgressError, type PostgresReplayLedgerOptions, type SqlPool, type SqlQueryable } from './deadLetters/postgresReplayLedger.js';
export { inMemoryProcessedEvents, redisProcessedEvents, type ProcessedEvents, type RedisProcessedEventsOptions } from './dedupe.js';
export { AVRO_CONTENT_TYPE, HEADER, headerValue, routeOf, type ConsumedMessage, type MessageHeaders, type MessageRoute } from './headers.js';
export { consumerMetrics, producerMetrics, type ConsumerMetrics, type ProducerMetrics } from './metrics.js';
export { onShutdown } from './shutdown.js';
export { isFatalAtStartup, startServiceLifecycle, type ServiceLifecycle, type ServiceLifecycleOptions, type StartupRetry } from './lifecycle.js';
export { dependencyChecks, type PlatformDependencies } from './dependencyChecks.js';
export {
  applyTopics,
  expandDeclarations,
  fitToCluster,
  loadTopicDeclarations,
  type TopicChange,
  type TopicDeclaration,
  type TopicReport,
  type TopicSpec,
} from './topics.js';
export { readRawToEnd, readToEnd, type RawReadRecord, type ReadRecord, type ReadToEndOptions } from './readToEnd.js';
export { mergeHandlers } from './mergeHandlers.js';
export { createOffsetsReader, PLATFORM_GROUP_PREFIX, platformGroupFilter, THROWAWAY_GROUP_PATTERN, type CommittedOffset, type OffsetsReader, type OffsetsSnapshot, type PartitionOffsets, type ReadOffsetsOptions } from './offsets.js';
export { type CoPartitionedOptions } from './coPartitionedAssigner.js';
export { patchKafkajsRequestQueue, type RequestQueuePatchResult } from './requestQueuePatch.js';
