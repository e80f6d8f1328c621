// The crash suite with two replicas of every agent service in shared consumer groups, so key-ordered
// concurrency meets rebalances: each outside kill is followed by a kill of the same service's other
// replica while its group rebalances (see test/crashSuite.ts).
import { defineCrashSuite } from '../test/crashSuite.js';

defineCrashSuite({ replicas: 2, conversations: 24, kills: 4, seed: 20_261_202 });
