// Solution service: looks up orders, computes refunds exactly and drafts the reply
import { AGENT_SERVICE_SPECS, startAgentService } from '@supportstream/platform';

await startAgentService(AGENT_SERVICE_SPECS.solution);
