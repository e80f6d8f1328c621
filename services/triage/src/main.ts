// Triage service: starts runs for customer requests (queuing follow-ups), runs the moderate and triage steps and the fallback reply
import { AGENT_SERVICE_SPECS, startAgentService } from '@supportstream/platform';

await startAgentService(AGENT_SERVICE_SPECS.triage);
