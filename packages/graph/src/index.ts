export { buildSupportGraph, type SupportGraph, type SupportGraphOptions } from './build.js';
export { isNodeName, NODE_NAMES, type NodeContext, type NodeImplementation, type NodeImplementations, type NodeName, type NodeResult } from './nodes.js';
export {
  currentRunId,
  MAX_MESSAGES,
  NO_USAGE,
  type RunUsage,
  runStartedAtOf,
  runStartInput,
  runUsageOf,
  stepCountOf,
  withoutUnchanged,
  SupportState,
  type ApprovalState,
  type ConversationMessage,
  type LlmCallRecord,
  type RequestInfo,
  type RunRequest,
  type StepRecord,
  type SupportStateType,
  type SupportStateUpdate,
} from './state.js';
export { terminalNodes, type ApprovalRequest, type ApprovalResume, type TerminalNodeOptions } from './terminalNodes.js';
export { readThread, threadConfig, threadHistory, type ThreadSnapshot } from './snapshot.js';
