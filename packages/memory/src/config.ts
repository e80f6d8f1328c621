import { QdrantClient } from '@qdrant/js-client-rest';
import { ConfigError } from '@supportstream/errors';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Embedder } from './embeddings/embedder.js';
import { hashingEmbedder } from './embeddings/hashingEmbedder.js';
import { openAiCompatibleEmbedder, type OpenAiCompatibleEmbedderOptions } from './embeddings/openAiCompatibleEmbedder.js';
import { pgVectorStore } from './vectors/pgVectorStore.js';
import { qdrantVectorStore } from './vectors/qdrantVectorStore.js';
import type { VectorStore } from './vectors/vectorStore.js';

const httpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((value) => ['true', '1', 'yes'].includes(value));

/**
 * The memory tiers' environment variables. A plain object schema, so a service can merge it into
 * the platform schema: `platformEnvSchema.extend(memoryEnvSchema.shape)`.
 */
export const memoryEnvSchema = z.object({
  /** `postgres` (embedded default) or `qdrant`; unset: qdrant when QDRANT_URL is set. */
  VECTOR_STORE: z.enum(['postgres', 'qdrant']).optional(),
  QDRANT_URL: httpUrl.optional(),
  QDRANT_API_KEY: z.string().min(1).optional(),
  /** How long a replica answers from its cached copy of a PostgreSQL-backed collection. */
  VECTOR_REFRESH_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
  /** Set: OpenAI-compatible embeddings from this API root. Unset: the local hashing embedder. */
  EMBEDDINGS_BASE_URL: httpUrl.optional(),
  EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
  /** Output size: of the model (required for models other than OpenAI's), or of the hashing embedder (default 384). */
  EMBEDDINGS_DIMENSIONS: z.coerce.number().int().min(1).max(65_536).optional(),
  EMBEDDINGS_REQUEST_DIMENSIONS: flag,
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  EMBEDDINGS_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(64),
  KNOWLEDGE_COLLECTION: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).default('knowledge'),
  RESOLUTIONS_COLLECTION: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).default('resolutions'),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(1).default(30 * 24 * 3600),
  SESSION_MAX_INTERACTIONS: z.coerce.number().int().min(1).default(50),
});

export type MemoryConfig = z.infer<typeof memoryEnvSchema>;

/** Parses the memory variables once; a bad one stops start-up with its name (values are not echoed). */
export function loadMemoryConfig(env: Readonly<Record<string, string | undefined>> = process.env): MemoryConfig {
  const result = memoryEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`, { details: { issues } });
}

export function embedderFromConfig(config: MemoryConfig, extra: Pick<OpenAiCompatibleEmbedderOptions, 'fetch' | 'retry'> = {}): Embedder {
  if (config.EMBEDDINGS_BASE_URL === undefined) return hashingEmbedder({ dimensions: config.EMBEDDINGS_DIMENSIONS ?? 384 });
  return openAiCompatibleEmbedder({
    baseUrl: config.EMBEDDINGS_BASE_URL,
    model: config.EMBEDDINGS_MODEL,
    requestDimensions: config.EMBEDDINGS_REQUEST_DIMENSIONS,
    timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
    batchSize: config.EMBEDDINGS_BATCH_SIZE,
    ...(config.EMBEDDINGS_API_KEY === undefined ? {} : { apiKey: config.EMBEDDINGS_API_KEY }),
    ...(config.EMBEDDINGS_DIMENSIONS === undefined ? {} : { dimensions: config.EMBEDDINGS_DIMENSIONS }),
    ...extra,
  });
}

/** Qdrant when chosen (or when only QDRANT_URL says so), otherwise the PostgreSQL-backed store on `pool`. */
export function vectorStoreFromConfig(config: MemoryConfig, deps: { readonly pool: Pool }): VectorStore {
  const kind = config.VECTOR_STORE ?? (config.QDRANT_URL === undefined ? 'postgres' : 'qdrant');
  if (kind === 'qdrant') {
    if (config.QDRANT_URL === undefined) throw new ConfigError('QDRANT_URL: required when VECTOR_STORE=qdrant');
    const client = new QdrantClient({
      url: config.QDRANT_URL,
      checkCompatibility: false,
      ...(config.QDRANT_API_KEY === undefined ? {} : { apiKey: config.QDRANT_API_KEY }),
    });
    return qdrantVectorStore(client);
  }
  return pgVectorStore(deps.pool, { refreshIntervalMs: config.VECTOR_REFRESH_INTERVAL_MS });
}
