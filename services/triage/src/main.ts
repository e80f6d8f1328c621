// Triage service: starts runs for customer requests (queuing follow-ups), runs the moderate and triage steps and the fallback reply
import { startAgentService } from '@supportstream/platform';

await startAgentService({ service: 'triage', nodes: ['moderate', 'triage', 'fallback'], startsRuns: true });
