export { SAMPLE_DATA, sampleContext, sampleEvent } from './sampleEvents.js';
export { uniqueName, waitFor, type WaitOptions } from './waitFor.js';
export { createTopics, deleteTopics, produceRaw, readTopic, stackConfig, testKafka, testLogger, type RawRecord } from './stack.js';
export { AGENT_SERVICES, cliPath, EDGE_SERVICES, startService, stopService, type AgentServiceName, type ServiceName, type ServiceProcess } from './services.js';
export { scriptedConversation, type ScriptedConversationOptions } from './scriptedConversation.js';
export { freePort } from './ports.js';
