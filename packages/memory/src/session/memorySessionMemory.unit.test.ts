import { sessionMemoryContract } from '../../test/sessionMemoryContract.js';
import { memorySessionMemory } from './memorySessionMemory.js';

sessionMemoryContract('in-memory twin', (limits) => {
  let clock = Date.UTC(2025, 0, 1);
  return {
    memory: memorySessionMemory({ ...limits, now: () => clock }),
    elapse: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  };
});
