// Research service: retrieves knowledge-base passages and similar resolved conversations for the answer
import { AGENT_SERVICE_SPECS, startAgentService } from '@supportstream/platform';

await startAgentService(AGENT_SERVICE_SPECS.research);
