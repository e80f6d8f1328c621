// Tier 2: session memory
export type { Interaction, SessionMemory, SessionMemoryLimits } from './session/sessionMemory.js';
export { interactionSchema, truncate } from './session/sessionMemory.js';
export { memorySessionMemory, type MemorySessionMemoryOptions } from './session/memorySessionMemory.js';
export { redisSessionMemory, type RedisSessionMemoryOptions } from './session/redisSessionMemory.js';

// Embeddings
export type { Embedder } from './embeddings/embedder.js';
export { hashingEmbedder, type HashingEmbedderOptions } from './embeddings/hashingEmbedder.js';
export { openAiCompatibleEmbedder, type OpenAiCompatibleEmbedderOptions } from './embeddings/openAiCompatibleEmbedder.js';

// Tier 3: vector store
export type { PayloadFilter, StoredDocument, VectorDocument, VectorHit, VectorSearchOptions, VectorStore } from './vectors/vectorStore.js';
export { memoryVectorStore } from './vectors/memoryVectorStore.js';
export { PG_VECTOR_SCHEMA_SQL } from './vectors/pgSchema.js';
export { pgVectorStore, type PgVectorStore, type PgVectorStoreOptions } from './vectors/pgVectorStore.js';
export { qdrantVectorStore, type QdrantLike, type QdrantVectorStoreOptions } from './vectors/qdrantVectorStore.js';
export { pointIdFor } from './vectors/qdrantIds.js';

// Knowledge base and long-term memory of resolutions
export { chunkMarkdown, type ChunkOptions, type MarkdownChunk } from './knowledge/chunkMarkdown.js';
export { ingestKnowledge, type IngestKnowledgeOptions, type IngestResult, type KnowledgePayload } from './knowledge/ingestKnowledge.js';
export { formatSources, searchKnowledge, type KnowledgeSource, type SearchKnowledgeOptions } from './knowledge/searchKnowledge.js';
export {
  forgetResolutions,
  rememberResolution,
  resolutionId,
  similarResolutions,
  type ForgetResolutionsOptions,
  type Resolution,
  type ResolutionMatch,
  type ResolutionStoreOptions,
  type SimilarResolutionsOptions,
} from './knowledge/resolutions.js';
export { KNOWLEDGE_COLLECTION, KNOWLEDGE_KIND, RESOLUTION_KIND, RESOLUTIONS_COLLECTION, SHARED_TENANT } from './knowledge/payloads.js';

// Wiring from the environment
export { embedderFromConfig, loadMemoryConfig, memoryEnvSchema, vectorStoreFromConfig, type MemoryConfig } from './config.js';
