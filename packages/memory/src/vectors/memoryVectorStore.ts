import { VectorIndex } from './vectorIndex.js';
import {
  checkCollectionName,
  checkDimensions,
  checkFilter,
  checkSearchOptions,
  checkVector,
  collectionNotFound,
  dimensionMismatch,
  jsonPayload,
  prepareDocuments,
  type VectorStore,
} from './vectorStore.js';

/** In-memory twin for unit tests and single-process tools: brute-force cosine, nothing persisted. */
export function memoryVectorStore(): VectorStore {
  const collections = new Map<string, VectorIndex>();
  const collection = (name: string): VectorIndex => {
    checkCollectionName(name);
    const index = collections.get(name);
    if (index === undefined) throw collectionNotFound(name);
    return index;
  };
  // Promise.resolve().then(...) turns synchronous validation errors into rejections, like the real adapters.
  const later = <T>(work: () => T): Promise<T> => Promise.resolve().then(work);

  return {
    ensureCollection: (name, dimensions) =>
      later(() => {
        checkCollectionName(name);
        checkDimensions(dimensions);
        const existing = collections.get(name);
        if (existing === undefined) collections.set(name, new VectorIndex(dimensions));
        else if (existing.dimensions !== dimensions) throw dimensionMismatch(name, existing.dimensions, dimensions);
      }),
    upsert: (name, docs) =>
      later(() => {
        const index = collection(name);
        for (const doc of prepareDocuments(name, docs, index.dimensions)) index.set(doc.id, [...doc.vector], jsonPayload(doc.payload));
      }),
    search: (name, vector, options) =>
      later(() => {
        const index = collection(name);
        checkSearchOptions(options);
        checkVector(name, vector, index.dimensions);
        return index.search(vector, options.limit, options.filter, options.minScore);
      }),
    delete: (name, ids) =>
      later(() => {
        const index = collection(name);
        for (const id of ids) index.remove(id);
      }),
    list: (name, options = {}) =>
      later(() => {
        const index = collection(name);
        checkFilter(options.filter);
        return index.list(options.filter);
      }),
  };
}
