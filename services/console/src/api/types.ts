// The shapes of the gateway's answers the console reads (services/gateway/src/openapi.ts is the reference).

/** Exact amount in millionths of the currency unit; a long, so JSON may carry it as a number or a string. */
export interface Money {
  readonly amountMicros: number | string;
  readonly currency: string;
}

export interface ProposedAction {
  readonly kind: string;
  readonly description: string;
  readonly amount: Money | null;
  readonly parameters: Readonly<Record<string, string>>;
}

export const APPROVAL_DECISIONS = ['APPROVED', 'REJECTED', 'EDITED'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

export interface Approval {
  readonly approvalId: string;
  readonly conversationId: string;
  readonly tenantId: string;
  readonly runId: string | null;
  readonly status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'EDITED' | 'EXPIRED';
  readonly risk: string | null;
  readonly riskScore: number | null;
  readonly reason: string | null;
  readonly proposedReply: string | null;
  readonly proposedActions: readonly ProposedAction[];
  readonly requestedAt: string | null;
  readonly expiresAt: string | null;
  readonly decidedBy: string | null;
  readonly comment: string | null;
  readonly editedReply: string | null;
  readonly decidedAt: string | null;
}

export interface DecisionAccepted {
  readonly approvalId: string;
  readonly decision: ApprovalDecision;
  readonly eventId: string;
}

export interface Citation {
  readonly sourceId?: string;
  readonly title?: string;
  readonly url?: string | null;
  readonly [field: string]: unknown;
}

export interface Conversation {
  readonly conversationId: string;
  readonly tenantId: string;
  readonly customerId: string | null;
  readonly channel: string | null;
  readonly customerTier: string | null;
  readonly subject: string | null;
  readonly lastMessage: string | null;
  readonly status: string | null;
  readonly currentStep: string | null;
  readonly nextStep: string | null;
  readonly outcome: string | null;
  readonly finalReply: string | null;
  readonly citations: readonly Citation[];
  readonly requestCount: number;
  readonly stepCount: number;
  readonly failureCount: number;
  readonly eventCount: number;
  readonly openedAt: string;
  readonly updatedAt: string;
}

export interface ConversationEvent {
  readonly seq: string;
  readonly eventId: string;
  readonly type: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly occurredAt: string;
  readonly producer: string;
  readonly requestId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly schemaId: number;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface EventPage {
  readonly events: readonly ConversationEvent[];
  readonly nextAfter: string | null;
}

export type Role = 'customer' | 'service' | 'supervisor' | 'admin';

export interface SessionInfo {
  readonly subject: string;
  readonly role: Role;
  readonly tenantId: string;
  readonly kind: 'jwt' | 'api_key';
  readonly via: 'cookie' | 'header';
  readonly expiresAt: string | null;
}

/** Conversation statuses after which nothing more happens until the customer writes again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['RESOLVED', 'RESOLVED_AFTER_APPROVAL', 'HANDED_OFF', 'FALLBACK', 'FAILED']);

// Dead letters (GET /v1/admin/dead-letters, POST …/{topic}/{partition}/{offset}/replay; admin role).

/** Where a record sits on a dead-letter topic (`<topic>.dlq`): what a replay names. */
export interface DeadLetterPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface DeadLetterReplayState {
  readonly replayId: string;
  /** pending: recorded but not completed (an interrupted attempt); replaying again completes it. */
  readonly status: 'pending' | 'done';
  readonly requestedBy: string;
  readonly replayedBy: string | null;
  readonly replayedAt: string | null;
}

export interface DeadLetter {
  readonly position: DeadLetterPosition;
  readonly originalTopic: string;
  readonly originalPartition: number | null;
  readonly originalOffset: string | null;
  readonly consumerGroup: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number | null;
  readonly failedAt: string;
  readonly key: string | null;
  readonly eventType: string | null;
  readonly eventId: string | null;
  readonly tenantId: string | null;
  readonly decodable: boolean;
  readonly valueBytes: number;
  readonly replay: DeadLetterReplayState | null;
}

export interface DeadLetterList {
  readonly deadLetters: readonly DeadLetter[];
  readonly matched: number;
  readonly hiddenUnknownTenant: number;
  readonly note: string | null;
}

export interface DeadLetterReplay {
  /** already_replayed: an earlier replay put it back; nothing was done now. */
  readonly status: 'replayed' | 'already_replayed';
  readonly replayId: string;
  readonly dlq: DeadLetterPosition;
  readonly originalTopic: string;
  readonly replayedTo: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly replayedBy: string;
  readonly replayedAt: string;
  /** Id of the DeadLetterReplayed event (system.analytics). */
  readonly eventId: string;
  readonly resumed: boolean;
}

// Audit (GET /v1/conversations/{id}/history, …/checkpoints, …/checkpoints/{checkpointId|latest}).

export interface HistoryEntry {
  readonly seq: string;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly schema: { readonly id: number; readonly subject: string | null; readonly version: number | null };
  readonly producer: string;
  readonly requestId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** The cause when it is an event of this conversation; null for a root. */
  readonly parentEventId: string | null;
  readonly ancestorIds: readonly string[];
  readonly depth: number;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ConversationHistory {
  readonly conversationId: string;
  readonly source: string;
  readonly events: readonly HistoryEntry[];
  readonly nextAfter: string | null;
}

export type CheckpointKind = 'input' | 'runStart' | 'step';

export interface CheckpointSummary {
  readonly checkpointId: string;
  readonly parentCheckpointId: string | null;
  readonly step: number | null;
  readonly createdAt: string | null;
  readonly kind: CheckpointKind;
  readonly node: string | null;
  readonly next: readonly string[];
  readonly runId: string | null;
  readonly requestId: string | null;
  readonly pendingApprovalId: string | null;
}

export interface CheckpointList {
  readonly conversationId: string;
  /** Oldest first. */
  readonly checkpoints: readonly CheckpointSummary[];
  readonly truncated: boolean;
}

export interface CheckpointState extends CheckpointSummary {
  readonly conversationId: string;
  readonly tasks: readonly string[];
  readonly interrupts: readonly unknown[];
  /** The graph state (request, messages, triageDecision, draft, …), personal data masked. */
  readonly values: Readonly<Record<string, unknown>>;
}

// Overview (GET /v1/overview?window=; supervisor and admin, operations for admins only).

export const OVERVIEW_WINDOWS = ['1h', '6h', '24h', '7d'] as const;
export type OverviewWindow = (typeof OVERVIEW_WINDOWS)[number];

/** Exact money: the micros as an integer string, and the same amount as an exact decimal ("49.99"). */
export interface MoneyAmount extends Money {
  readonly amountMicros: string;
  readonly amount: string;
}

export interface OverviewTotals {
  readonly conversations: number;
  readonly resolved: number;
  readonly resolvedAfterApproval: number;
  readonly handedOff: number;
  readonly fallback: number;
  readonly failed: number;
  readonly escalated: number;
  /** Fractions 0..1; null without conversations. */
  readonly resolutionRate: number | null;
  readonly escalationRate: number | null;
  readonly meanHandlingMs: number | null;
  readonly meanQualityScore: number | null;
  readonly llm: { readonly calls: number; readonly cachedCalls: number; readonly promptTokens: number; readonly completionTokens: number };
}

export interface OverviewCost {
  readonly currency: string;
  readonly conversations: number;
  readonly total: MoneyAmount;
  readonly perConversation: MoneyAmount | null;
  readonly llm: MoneyAmount;
}

export interface OverviewBucket {
  readonly start: string;
  readonly conversations: number;
  readonly resolved: number;
  readonly resolvedAfterApproval: number;
  readonly handedOff: number;
  readonly fallback: number;
  readonly failed: number;
  readonly escalated: number;
  readonly meanHandlingMs: number | null;
}

export interface OverviewOperations {
  readonly status: 'ok' | 'unavailable';
  readonly readAt: string | null;
  readonly message: string | null;
  readonly consumerGroups: readonly { readonly group: string; readonly lag: number; readonly topics: readonly { readonly topic: string; readonly lag: number; readonly partitions: number }[] }[];
  readonly deadLetters: readonly { readonly topic: string; readonly records: number; readonly partitions: number }[];
  readonly unreadGroups: readonly string[];
}

export interface Overview {
  readonly window: OverviewWindow;
  readonly from: string;
  readonly to: string;
  readonly stepSeconds: number;
  readonly generatedAt: string;
  readonly totals: OverviewTotals;
  readonly costs: readonly OverviewCost[];
  readonly series: readonly OverviewBucket[];
  readonly approvals: { readonly pending: number; readonly oldestRequestedAt: string | null; readonly oldestWaitingMs: number | null };
  /** null for supervisors: cluster-wide figures are for operators (admin role). */
  readonly operations: OverviewOperations | null;
}
