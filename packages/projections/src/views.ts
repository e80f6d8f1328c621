/** Rows as PostgreSQL returns them and the JSON views the gateway serves. */

export interface ConversationRow {
  conversation_id: string;
  tenant_id: string;
  customer_id: string | null;
  channel: string | null;
  customer_tier: string | null;
  subject: string | null;
  last_message: string | null;
  last_request_id: string | null;
  status: string | null;
  current_step: string | null;
  next_step: string | null;
  triage: unknown;
  outcome: string | null;
  final_reply: string | null;
  citations: unknown;
  request_count: number;
  step_count: number;
  failure_count: number;
  event_count: number;
  opened_at: Date;
  updated_at: Date;
}

export interface ConversationView {
  readonly conversationId: string;
  readonly tenantId: string;
  readonly customerId: string | null;
  readonly channel: string | null;
  readonly customerTier: string | null;
  readonly subject: string | null;
  readonly lastMessage: string | null;
  readonly lastRequestId: string | null;
  /** RECEIVED, IN_PROGRESS, AWAITING_APPROVAL, or the outcome of the last run; null until a status event is seen. */
  readonly status: string | null;
  readonly currentStep: string | null;
  readonly nextStep: string | null;
  readonly triage: unknown;
  readonly outcome: string | null;
  readonly finalReply: string | null;
  readonly citations: unknown;
  readonly requestCount: number;
  readonly stepCount: number;
  readonly failureCount: number;
  readonly eventCount: number;
  readonly openedAt: string;
  readonly updatedAt: string;
}

export function toConversationView(row: ConversationRow): ConversationView {
  return {
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    customerId: row.customer_id,
    channel: row.channel,
    customerTier: row.customer_tier,
    subject: row.subject,
    lastMessage: row.last_message,
    lastRequestId: row.last_request_id,
    status: row.status,
    currentStep: row.current_step,
    nextStep: row.next_step,
    triage: row.triage,
    outcome: row.outcome,
    finalReply: row.final_reply,
    citations: row.citations ?? [],
    requestCount: row.request_count,
    stepCount: row.step_count,
    failureCount: row.failure_count,
    eventCount: row.event_count,
    openedAt: new Date(row.opened_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export interface EventRowOut {
  seq: string;
  event_id: string;
  conversation_id: string;
  tenant_id: string;
  type: string;
  topic: string;
  partition: number;
  offset: string;
  occurred_at: Date;
  producer: string;
  request_id: string;
  correlation_id: string;
  causation_id: string | null;
  schema_id: number;
  summary: string;
  /** The event's data (rows projected before the metadata moved to columns only also hold a copy of it). */
  payload: { data: Record<string, unknown> };
}

export interface ConversationEventView {
  /** Position in the conversation's stream (the SSE event id); increases with each projected event. */
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
  readonly data: Record<string, unknown>;
}

export function toEventView(row: EventRowOut): ConversationEventView {
  return {
    seq: row.seq,
    eventId: row.event_id,
    type: row.type,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    occurredAt: new Date(row.occurred_at).toISOString(),
    producer: row.producer,
    requestId: row.request_id,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    schemaId: row.schema_id,
    summary: row.summary,
    data: row.payload.data,
  };
}

export interface ApprovalRowOut {
  approval_id: string;
  conversation_id: string;
  tenant_id: string;
  run_id: string | null;
  status: string;
  risk: string | null;
  risk_score: number | null;
  reason: string | null;
  proposed_reply: string | null;
  proposed_actions: unknown;
  requested_at: Date | null;
  expires_at: Date | null;
  decision: string | null;
  decided_by: string | null;
  comment: string | null;
  edited_reply: string | null;
  decided_at: Date | null;
}

export interface ApprovalView {
  readonly approvalId: string;
  readonly conversationId: string;
  readonly tenantId: string;
  readonly runId: string | null;
  /** PENDING, APPROVED, REJECTED, EDITED or EXPIRED. */
  readonly status: string;
  readonly risk: string | null;
  readonly riskScore: number | null;
  readonly reason: string | null;
  readonly proposedReply: string | null;
  readonly proposedActions: unknown;
  readonly requestedAt: string | null;
  readonly expiresAt: string | null;
  readonly decidedBy: string | null;
  readonly comment: string | null;
  readonly editedReply: string | null;
  readonly decidedAt: string | null;
}

const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toApprovalView(row: ApprovalRowOut): ApprovalView {
  return {
    approvalId: row.approval_id,
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    runId: row.run_id,
    status: row.status,
    risk: row.risk,
    riskScore: row.risk_score,
    reason: row.reason,
    proposedReply: row.proposed_reply,
    proposedActions: row.proposed_actions ?? [],
    requestedAt: iso(row.requested_at),
    expiresAt: iso(row.expires_at),
    decidedBy: row.decided_by,
    comment: row.comment,
    editedReply: row.edited_reply,
    decidedAt: iso(row.decided_at),
  };
}
