// Solution service: looks up orders, computes refunds exactly and drafts the reply
import { startAgentService } from '@supportstream/platform';

await startAgentService({ service: 'solution', nodes: ['solution'] });
