// The crash suite with one process per agent service (see test/crashSuite.ts).
import { defineCrashSuite } from '../test/crashSuite.js';

defineCrashSuite({ replicas: 1, conversations: 24, kills: 6, seed: 20_261_121 });
