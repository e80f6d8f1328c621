// Quality service: reviews drafts and sends approved replies (respond step)
import { startAgentService } from '@supportstream/platform';

await startAgentService({ service: 'quality', nodes: ['quality', 'respond'] });
