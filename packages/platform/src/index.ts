export { createAgentRuntime, startAgentService, type AgentRuntime, type AgentServiceSpec, type RunningService } from './agentService.js';
export { agentServiceEnvSchema, loadAgentServiceEnv, type AgentServiceEnv } from './environment.js';
