export {
  createStepRunner,
  isScopedSaver,
  runIdOf,
  type ResumeOptions,
  type ResumeOutcome,
  type RunStepsOptions,
  type ScopedSaver,
  type StartOptions,
  type StartOutcome,
  type StepOutcome,
  type StepRunner,
  type StepRunnerOptions,
} from './stepRunner.js';
export { decideResume, decideStart, decideStep, type ResumeDecision, type StartDecision, type StepDecision, type StepTrigger } from './decideStep.js';
export type { StepPublisher } from './reactors/stepPublisher.js';
export type { Reactor } from './reactors/reactor.js';
export { stepEvents } from './stepEvents.js';
export { createAgentWorker, type AgentWorker, type AgentWorkerOptions } from './worker.js';
export { CHECKPOINT_SCHEMA, createCheckpointer } from './checkpointer.js';
export { createOfficialCheckpointer } from './checkpointer.js';
export {
  checkpointHistory,
  describeCheckpoint,
  MAX_CHECKPOINT_LIST,
  openCheckpointHistory,
  type CheckpointHistory,
  type CheckpointKind,
  type CheckpointList,
  type CheckpointState,
  type CheckpointSummary,
} from './checkpointHistory.js';
export { BatchedPostgresSaver, type RunOnOptions } from './checkpoint/batchedPostgresSaver.js';
export { ScopeMemo } from './checkpoint/scopeMemo.js';
export { createApprovalExpiry, type ApprovalExpiry, type ApprovalExpiryOptions } from './approvalExpiry.js';
export { pruneCheckpoints, type PruneOptions, type PruneReport } from './pruneCheckpoints.js';
export { registerPendingApprovalsGauge, workerMetrics, type WorkerMetrics } from './metrics.js';
