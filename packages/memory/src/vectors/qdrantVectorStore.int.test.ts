import { QdrantClient } from '@qdrant/js-client-rest';
import { uniqueName } from '@supportstream/testing';
import { afterAll, describe } from 'vitest';
import { vectorStoreContract } from '../../test/vectorStoreContract.js';
import { qdrantVectorStore } from './qdrantVectorStore.js';

// Qdrant is not part of the local stack (no Docker engine, no Qdrant binary in the package
// registries these machines use), so this suite runs wherever QDRANT_URL points at a server:
//   QDRANT_URL=http://127.0.0.1:6333 [QDRANT_API_KEY=…] npx vitest run --project int packages/memory
const url = process.env['QDRANT_URL'];

describe.runIf(Boolean(url))('Qdrant (QDRANT_URL)', () => {
  const apiKey = process.env['QDRANT_API_KEY'];
  const client = new QdrantClient({ url: url ?? 'http://127.0.0.1:6333', checkCompatibility: false, ...(apiKey === undefined ? {} : { apiKey }) });
  const created: string[] = [];

  afterAll(async () => {
    for (const name of created) await client.deleteCollection(name).catch(() => undefined);
  });

  vectorStoreContract('Qdrant', () => ({
    store: qdrantVectorStore(client),
    collection: () => {
      const name = uniqueName('test-vec').replace(/[^A-Za-z0-9_-]/g, '_');
      created.push(name);
      return name;
    },
  }));
});
