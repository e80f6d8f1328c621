// Escalation service: pauses risky runs for a supervisor (interrupt) and hands off to humans
import { AGENT_SERVICE_SPECS, startAgentService } from '@supportstream/platform';

await startAgentService(AGENT_SERVICE_SPECS.escalation);
