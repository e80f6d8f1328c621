import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QdrantClient } from '@qdrant/js-client-rest';
import { describe, expect, it } from 'vitest';
import { fakeQdrant } from '../../test/fakeQdrant.js';
import { vectorStoreContract } from '../../test/vectorStoreContract.js';
import { pointIdFor, uuidV5 } from './qdrantIds.js';
import { qdrantVectorStore } from './qdrantVectorStore.js';

let n = 0;
// Runs the shared contract through the adapter against a documented model of Qdrant's API; the
// same suite runs against a real Qdrant in qdrantVectorStore.int.test.ts when QDRANT_URL is set.
vectorStoreContract('Qdrant adapter over a fake Qdrant API', () => ({ store: qdrantVectorStore(fakeQdrant().client, { batchSize: 300 }), collection: () => `q${++n}` }));

describe('qdrantVectorStore mapping', () => {
  it('maps string ids to deterministic version-5 UUIDs', () => {
    const id = pointIdFor('*:refund-policy.md#refund-policy/duplicate-charges:0');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pointIdFor('*:refund-policy.md#refund-policy/duplicate-charges:0')).toBe(id);
    expect(pointIdFor('*:refund-policy.md#refund-policy/duplicate-charges:1')).not.toBe(id);
    // The RFC's own example (DNS namespace), then a pinned id: changing the mapping would orphan
    // every point already stored.
    expect(uuidV5('www.example.com', Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex'))).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(pointIdFor('doc-1')).toBe('c392551f-f853-5a60-86a7-53c2d96efb12');
  });

  it('creates a cosine collection with keyword indexes, writes UUID points with the original id, filters with must', async () => {
    const fake = fakeQdrant();
    const store = qdrantVectorStore(fake.client);
    await store.ensureCollection('kb', 2);
    await store.upsert('kb', [{ id: 'doc-1', vector: [1, 0], payload: { tenantId: 't1', kind: 'knowledge' } }]);
    const hits = await store.search('kb', [1, 0], { limit: 5, filter: { tenantId: 't1', kind: 'knowledge' }, minScore: 0.5 });
    expect(hits).toEqual([{ id: 'doc-1', score: expect.closeTo(1, 5) as unknown, payload: { tenantId: 't1', kind: 'knowledge' } }]);

    const byMethod = (method: string) => fake.calls.filter((call) => call.method === method).map((call) => call.args);
    expect(byMethod('createCollection')).toEqual([{ vectors: { size: 2, distance: 'Cosine' } }]);
    expect(byMethod('createPayloadIndex')).toEqual([
      { field_name: 'tenantId', field_schema: 'keyword', wait: true },
      { field_name: 'kind', field_schema: 'keyword', wait: true },
    ]);
    expect(byMethod('upsert')).toEqual([
      { wait: true, points: [{ id: pointIdFor('doc-1'), vector: [1, 0], payload: { tenantId: 't1', kind: 'knowledge', __id: 'doc-1' } }] },
    ]);
    expect(byMethod('query')).toEqual([
      {
        query: [1, 0],
        limit: 5,
        with_payload: true,
        filter: { must: [{ key: 'tenantId', match: { value: 't1' } }, { key: 'kind', match: { value: 'knowledge' } }] },
        score_threshold: 0.5,
      },
    ]);
  });

  it('treats a collection created concurrently by another replica as created', async () => {
    const fake = fakeQdrant();
    await qdrantVectorStore(fake.client).ensureCollection('kb', 2);
    // The other replica asked before the collection existed, so its create answers 409.
    const late = qdrantVectorStore({ ...fake.client, collectionExists: () => Promise.resolve({ exists: false }) });
    await late.ensureCollection('kb', 2);
    await expect(late.ensureCollection('kb', 3)).rejects.toMatchObject({ code: 'VECTOR_DIMENSION_MISMATCH' });
    expect(fake.calls.filter((call) => call.method === 'createCollection')).toHaveLength(3);
  });

  it('classifies Qdrant failures: 429, 5xx and network retriable; 400 not', async () => {
    const fake = fakeQdrant();
    const store = qdrantVectorStore(fake.client);
    await store.ensureCollection('kb', 2);
    for (const [failure, code, retriable] of [
      [429, 'VECTOR_STORE_UNAVAILABLE', true],
      [503, 'VECTOR_STORE_UNAVAILABLE', true],
      ['network', 'VECTOR_STORE_UNAVAILABLE', true],
      [400, 'VECTOR_STORE_REJECTED', false],
      [404, 'VECTOR_COLLECTION_NOT_FOUND', false],
    ] as const) {
      fake.failNext(failure);
      await expect(store.search('kb', [1, 0], { limit: 1 })).rejects.toMatchObject({ code, retriable });
    }
  });
});

describe('qdrantVectorStore with the real QdrantClient against a local HTTP fixture', () => {
  // Checks that the client's own error objects (status on ApiError, timeouts, fetch failures) are
  // recognised, which the fake above cannot show.
  async function qdrantFixture(status: number, body: unknown) {
    const server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      client: new QdrantClient({ url: `http://127.0.0.1:${port}`, checkCompatibility: false }),
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  it.each([
    [404, { status: { error: 'Not found: Collection `kb` doesn\'t exist!' }, time: 0 }, 'VECTOR_COLLECTION_NOT_FOUND', false],
    [503, { status: { error: 'Service unavailable' }, time: 0 }, 'VECTOR_STORE_UNAVAILABLE', true],
    [400, { status: { error: 'Wrong input' }, time: 0 }, 'VECTOR_STORE_REJECTED', false],
  ])('maps HTTP %i', async (status, body, code, retriable) => {
    const fixture = await qdrantFixture(status, body);
    try {
      await expect(qdrantVectorStore(fixture.client).list('kb')).rejects.toMatchObject({ code, retriable });
    } finally {
      await fixture.close();
    }
  });

  it('maps a refused connection to a retriable error', async () => {
    const client = new QdrantClient({ url: 'http://127.0.0.1:1', checkCompatibility: false });
    await expect(qdrantVectorStore(client).search('kb', [1, 0], { limit: 1 })).rejects.toMatchObject({ code: 'VECTOR_STORE_UNAVAILABLE', retriable: true });
  });
});
