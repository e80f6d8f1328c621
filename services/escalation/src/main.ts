// Escalation service: pauses risky runs for a supervisor (interrupt) and hands off to humans
import { startAgentService } from '@supportstream/platform';

await startAgentService({ service: 'escalation', nodes: ['escalate', 'handoff'] });
