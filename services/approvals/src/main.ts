// Approvals service: resumes escalated runs on ApprovalDecided, expires approvals on time
import { AGENT_SERVICE_SPECS, startAgentService } from '@supportstream/platform';

await startAgentService(AGENT_SERVICE_SPECS.approvals);
