// Approvals service: resumes escalated runs on ApprovalDecided, expires approvals on time
import { startAgentService } from '@supportstream/platform';

await startAgentService({ service: 'approvals', nodes: [], resumesApprovals: true });
