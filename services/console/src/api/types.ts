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
