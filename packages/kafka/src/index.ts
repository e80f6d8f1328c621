export { createIdempotentProducer, createKafka, type Kafka, type KafkaClientOptions } from './client.js';
export { createEventProducer, toMessage, type EventProducer, type EventProducerOptions } from './producer.js';
export {
  createConsumerRunner,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type EventHandler,
  type EventHandlers,
  type HandlerContext,
  type RetryPolicy,
} from './consumer.js';
export { deadLetterHeaders, defaultDeadLetterTopic, sendToDeadLetterTopic, type DeadLetter } from './deadLetter.js';
export { inMemoryProcessedEvents, redisProcessedEvents, type ProcessedEvents, type RedisProcessedEventsOptions } from './dedupe.js';
export { AVRO_CONTENT_TYPE, HEADER, headerValue } from './headers.js';
export { consumerMetrics, producerMetrics, type ConsumerMetrics, type ProducerMetrics } from './metrics.js';
export { onShutdown } from './shutdown.js';
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
export { createOffsetsReader, type CommittedOffset, type OffsetsReader, type OffsetsSnapshot, type PartitionOffsets, type ReadOffsetsOptions } from './offsets.js';
