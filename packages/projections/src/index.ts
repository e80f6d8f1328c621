export { LIVE_SCHEMA, READ_MODEL_TABLE_NAMES, dropReadModel, ensureReadModel, type ReadModelTable } from './schema.js';
export { foldBatch, type BatchChange, type StoredRows } from './batchChange.js';
export { evolveConversation, orderingKey, type ConversationRecord, type ConversationStatus } from './projections/conversations.js';
export { summarizeEvent } from './projections/eventSummary.js';
export type { ProjectedEvent } from './projections/projection.js';
export { CONVERSATION_CHANGES_CHANNEL, createProjector, type ApplyResult, type PartitionBatch, type Projector, type ProjectorOptions } from './projector.js';
export { redisConversationCache, type ConversationCache, type RedisConversationCacheOptions } from './cache.js';
export {
  CONVERSATION_STATUSES,
  createReadModel,
  type ApprovalQueueSize,
  type ApprovalRequestRef,
  type CausationLink,
  type ConversationListFilter,
  type ConversationPage,
  type ConversationPosition,
  type EventPage,
  type ReadModel,
  type ReadModelOptions,
  type TenantStatistics,
} from './queries.js';
export type { ApprovalView, ConversationEventView, ConversationView } from './views.js';
export { compareChecksums, readModelChecksums, type ChecksumComparison, type ReadModelChecksums, type TableChecksum } from './checksum.js';
export { createProjectionConsumer, type ProjectionConsumer, type ProjectionConsumerOptions } from './consumer.js';
export { rebuildReadModel, type RebuildOptions, type RebuildProgress, type RebuildReport } from './rebuild.js';
export { type ShardConnection } from './rebuildShard.js';
export { alignGroupOffsets } from './alignOffsets.js';
export { eraseCustomerReadModel, type ReadModelErasure, type ReadModelErasureReport } from './erasure.js';
