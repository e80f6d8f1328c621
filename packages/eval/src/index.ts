export {
  datasetCoverage,
  DatasetError,
  loadDataset,
  parseDataset,
  PII_KINDS,
  piiKind,
  supportTicket,
  UNDETERMINED_LANGUAGE,
  type DatasetCoverage,
  type PiiKind,
  type SupportTicket,
  type SupportTicketInput,
} from './dataset.js';
export { amountAppearsInText, ibanValid, lintDataset, luhnValid } from './datasetChecks.js';
export { escalationReason, LABELLED_REASONS, reasonCode, RUN_ONLY_REASONS, type EscalationReason } from './reasons.js';
export {
  checkGate,
  describeThreshold,
  EVAL_TARGETS,
  renderMarkdown,
  toJsonRecord,
  type EvalJsonRecord,
  type EvalMeta,
  type GateFailure,
  type GateThresholds,
  type MarkdownOptions,
  type ScoreName,
  type Threshold,
} from './report.js';
export {
  ratioOf,
  scoreRun,
  type EvalResult,
  type FailureKind,
  type ObservedOutcome,
  type Problem,
  type Ratio,
  type ScoreCounts,
  type Scores,
  type ScoredPair,
  type TicketFailure,
} from './scores.js';
