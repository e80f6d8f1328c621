// Quality service: reviews drafts and sends approved replies (respond step)
import { AGENT_SERVICE_SPECS, startAgentService } from '@supportstream/platform';

await startAgentService(AGENT_SERVICE_SPECS.quality);
