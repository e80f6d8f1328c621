export { createStepRunner, runIdOf, type StartOutcome, type StepOutcome, type StepRunner, type StepRunnerOptions } from './stepRunner.js';
export { stepEvents } from './stepEvents.js';
export { createAgentWorker, type AgentWorker, type AgentWorkerOptions } from './worker.js';
export { CHECKPOINT_SCHEMA, createCheckpointer } from './checkpointer.js';
export { createApprovalExpiry, type ApprovalExpiry, type ApprovalExpiryOptions } from './approvalExpiry.js';
export { pruneCheckpoints, type PruneOptions, type PruneReport } from './pruneCheckpoints.js';
export { registerPendingApprovalsGauge, workerMetrics, type WorkerMetrics } from './metrics.js';
