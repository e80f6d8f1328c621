// Research service: retrieves knowledge-base passages and similar resolved conversations for the answer
import { startAgentService } from '@supportstream/platform';

await startAgentService({ service: 'research', nodes: ['research'] });
