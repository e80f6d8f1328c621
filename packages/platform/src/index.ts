export { createAgentRuntime, startAgentService, type AgentRuntime, type AgentServiceHooks, type AgentServiceSpec, type RunningService } from './agentService.js';
export { AGENT_SERVICE_SPECS, type AgentServiceKey } from './agentServices.js';
export { agentServiceEnvSchema, loadAgentServiceEnv, type AgentServiceEnv } from './environment.js';
