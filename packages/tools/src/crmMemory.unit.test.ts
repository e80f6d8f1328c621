import { crmDirectoryContract } from '../test/crmContract.js';
import { inMemoryCrmDirectory } from './crmMemory.js';
import { sampleCrmData } from './crmSample.js';

crmDirectoryContract('in memory', () => Promise.resolve({ crm: inMemoryCrmDirectory(sampleCrmData()) }));
