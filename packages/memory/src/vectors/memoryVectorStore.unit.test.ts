import { vectorStoreContract } from '../../test/vectorStoreContract.js';
import { memoryVectorStore } from './memoryVectorStore.js';

let n = 0;
vectorStoreContract('in-memory twin', () => ({ store: memoryVectorStore(), collection: () => `c${++n}` }));
