import { describe, expect, it } from 'vitest';
import { embedderFromConfig, loadMemoryConfig, vectorStoreFromConfig } from './config.js';
import type { Pool } from 'pg';

const pool = {} as Pool;

describe('memory configuration', () => {
  it('defaults to the local hashing embedder and the PostgreSQL-backed store', () => {
    const config = loadMemoryConfig({});
    expect(config).toMatchObject({ KNOWLEDGE_COLLECTION: 'knowledge', RESOLUTIONS_COLLECTION: 'resolutions', SESSION_MAX_INTERACTIONS: 50, EMBEDDINGS_REQUEST_DIMENSIONS: false });
    expect(embedderFromConfig(config).id).toBe('hashing-v2:384');
    expect(embedderFromConfig(loadMemoryConfig({ EMBEDDINGS_DIMENSIONS: '256' })).id).toBe('hashing-v2:256');
    expect(Object.keys(vectorStoreFromConfig(config, { pool }))).toContain('ensureSchema');
  });

  it('switches to OpenAI-compatible embeddings and Qdrant when their URLs are set', () => {
    const config = loadMemoryConfig({ EMBEDDINGS_BASE_URL: 'http://127.0.0.1:11434/v1', EMBEDDINGS_MODEL: 'nomic-embed-text', EMBEDDINGS_DIMENSIONS: '768', QDRANT_URL: 'http://127.0.0.1:6333' });
    expect(embedderFromConfig(config).id).toBe('openai-compatible:nomic-embed-text:768');
    expect(Object.keys(vectorStoreFromConfig(config, { pool }))).not.toContain('ensureSchema');
    expect(Object.keys(vectorStoreFromConfig({ ...config, VECTOR_STORE: 'postgres' }, { pool }))).toContain('ensureSchema');
    expect(() => vectorStoreFromConfig(loadMemoryConfig({ VECTOR_STORE: 'qdrant' }), { pool })).toThrow(/QDRANT_URL/);
  });

  it('names every bad variable without echoing secrets', () => {
    let message = '';
    try {
      loadMemoryConfig({ QDRANT_URL: 'ftp://x', EMBEDDINGS_DIMENSIONS: 'many', EMBEDDINGS_API_KEY: '', VECTOR_STORE: 'faiss' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const variable of ['QDRANT_URL', 'EMBEDDINGS_DIMENSIONS', 'EMBEDDINGS_API_KEY', 'VECTOR_STORE']) expect(message).toContain(variable);
    expect(message).not.toContain('ftp://x');
  });
});
