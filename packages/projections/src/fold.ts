import type { SupportEvent } from '@supportstream/events';

/** A decoded event and where it sits in the log. */
export interface ProjectedEvent {
  readonly event: SupportEvent;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly schemaId: number;
}

export interface EventRow {
  readonly event_id: string;
  readonly conversation_id: string;
  readonly tenant_id: string;
  readonly type: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly occurred_at: string;
  readonly producer: string;
  readonly request_id: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly schema_id: number;
  readonly summary: string;
  readonly payload: unknown;
}

export type ConversationStatus =
  | 'RECEIVED'
  | 'IN_PROGRESS'
  | 'AWAITING_APPROVAL'
  | 'RESOLVED'
  | 'RESOLVED_AFTER_APPROVAL'
  | 'HANDED_OFF'
  | 'FALLBACK'
  | 'FAILED';

/** One conversation's change from a batch of events: "latest wins" groups carry their ordering key. */
export interface ConversationDelta {
  conversation_id: string;
  tenant_id: string;
  customer_id: string | null;
  channel: string | null;
  customer_tier: string | null;
  subject: string | null;
  last_message: string | null;
  last_request_id: string | null;
  request_key: string | null;
  status: ConversationStatus | null;
  status_key: string | null;
  current_step: string | null;
  next_step: string | null;
  step_key: string | null;
  triage: unknown;
  triage_key: string | null;
  outcome: string | null;
  final_reply: string | null;
  citations: unknown;
  reply_key: string | null;
  request_count: number;
  step_count: number;
  failure_count: number;
  event_count: number;
  opened_at: string;
  updated_at: string;
}

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EDITED' | 'EXPIRED';

/** What one approval event says; applied in log order (first decision or expiry wins, as in the pipeline). */
export type ApprovalChange =
  | { readonly kind: 'requested'; readonly approvalId: string; readonly eventId: string; readonly conversationId: string; readonly tenantId: string; readonly row: ApprovalRequestFields }
  | {
      readonly kind: 'closed';
      readonly approvalId: string;
      readonly eventId: string;
      readonly conversationId: string;
      readonly tenantId: string;
      readonly status: Exclude<ApprovalStatus, 'PENDING'>;
      readonly decidedBy: string | null;
      readonly comment: string | null;
      readonly editedReply: string | null;
      readonly decidedAt: string;
    };

export interface ApprovalRequestFields {
  readonly run_id: string;
  readonly risk: string;
  readonly risk_score: number;
  readonly reason: string;
  readonly proposed_reply: string;
  readonly proposed_actions: unknown;
  readonly requested_at: string;
  readonly expires_at: string;
}

export const AGENT_COUNTERS = [
  'steps_completed',
  'steps_failed',
  'steps_duplicate',
  'step_duration_ms',
  'queue_delay_ms',
  'llm_calls',
  'llm_cached_calls',
  'prompt_tokens',
  'completion_tokens',
  'llm_latency_ms',
] as const;
export const TENANT_COUNTERS = [
  'requests',
  'runs_completed',
  'resolved',
  'resolved_after_approval',
  'handed_off',
  'fallback',
  'failed',
  'escalated',
  'handling_ms',
  'quality_sum_micros',
  'quality_count',
  'approvals_requested',
  'approvals_approved',
  'approvals_rejected',
  'approvals_edited',
  'approvals_expired',
  'replies',
  'alerts',
  'step_failures',
] as const;
export type AgentCounter = (typeof AGENT_COUNTERS)[number];
export type TenantCounter = (typeof TENANT_COUNTERS)[number];
export type AgentStatsDelta = { tenant_id: string; node: string } & Record<AgentCounter, number>;
export type TenantStatsDelta = { tenant_id: string } & Record<TenantCounter, number>;
export interface CostStatsDelta {
  tenant_id: string;
  model: string;
  currency: string;
  calls: number;
  cost_micros: number;
}

export interface BatchDelta {
  readonly events: readonly EventRow[];
  readonly conversations: readonly ConversationDelta[];
  readonly approvals: readonly ApprovalChange[];
  readonly agentStats: readonly AgentStatsDelta[];
  readonly costStats: readonly CostStatsDelta[];
  readonly tenantStats: readonly TenantStatsDelta[];
}

/**
 * Ordering key of a "latest wins" field: occurredAt, then a rank per event type for events of the
 * same millisecond (an approval request outranks the step that raised it, a run's end outranks
 * its last step), then the event id. Fixed width, so text comparison is the order.
 */
export function orderingKey(event: SupportEvent, rank: number): string {
  return `${event.metadata.occurredAt.getTime().toString().padStart(15, '0')}|${rank}|${event.metadata.eventId}`;
}

const STATUS_RANK = { RequestReceived: 0, AgentStepCompleted: 1, StepFailed: 1, ApprovalRequested: 3, RunCompleted: 4 } as const;

const clip = (text: string, length = 200): string => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** One line saying what an event means, for timelines. */
export function summarizeEvent(event: SupportEvent): string {
  switch (event.type) {
    case 'RequestReceived':
      return clip(event.data.message);
    case 'AgentStepCompleted':
      return clip(`${event.data.node}: ${event.data.summary}`);
    case 'StepFailed':
      return clip(`${event.data.node} failed (${event.data.errorCode}${event.data.willRetry ? ', will retry' : ''}): ${event.data.errorMessage}`);
    case 'RunCompleted':
      return `run ended: ${event.data.outcome}`;
    case 'ApprovalRequested':
      return clip(`approval ${event.data.approvalId} requested (${event.data.risk}): ${event.data.reason}`);
    case 'ApprovalDecided':
      return clip(`approval ${event.data.approvalId} ${event.data.decision} by ${event.data.decidedBy}`);
    case 'ApprovalExpired':
      return `approval ${event.data.approvalId} expired; ${event.data.fallbackPath}`;
    case 'ReplyReady':
      return clip(`reply: ${event.data.body}`);
    case 'SupervisorAlert':
      return clip(`${event.data.severity} alert: ${event.data.message}`);
    case 'StepMetrics':
      return `${event.data.node} ${event.data.status} in ${event.data.durationMs} ms`;
    case 'LlmUsage':
      return `${event.data.node} called ${event.data.model}: ${event.data.promptTokens}+${event.data.completionTokens} tokens`;
    case 'RequestOutcome':
      return `outcome ${event.data.outcome}${event.data.escalated ? ' (escalated)' : ''}`;
    default: {
      const unknownEvent: never = event;
      return String((unknownEvent as SupportEvent).type);
    }
  }
}

function parseOutput(output: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(output);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function emptyConversation(event: SupportEvent): ConversationDelta {
  const at = event.metadata.occurredAt.toISOString();
  return {
    conversation_id: event.metadata.conversationId,
    tenant_id: event.metadata.tenantId,
    customer_id: null,
    channel: null,
    customer_tier: null,
    subject: null,
    last_message: null,
    last_request_id: null,
    request_key: null,
    status: null,
    status_key: null,
    current_step: null,
    next_step: null,
    step_key: null,
    triage: null,
    triage_key: null,
    outcome: null,
    final_reply: null,
    citations: null,
    reply_key: null,
    request_count: 0,
    step_count: 0,
    failure_count: 0,
    event_count: 0,
    opened_at: at,
    updated_at: at,
  };
}

const newer = (key: string, current: string | null): boolean => current === null || key > current;

function setStatus(delta: ConversationDelta, event: SupportEvent & { type: keyof typeof STATUS_RANK }, status: ConversationStatus): void {
  const key = orderingKey(event, STATUS_RANK[event.type]);
  if (newer(key, delta.status_key)) {
    delta.status = status;
    delta.status_key = key;
  }
}

/** Folds one event into its conversation's delta. Pure; the order of calls does not matter. */
export function evolveConversation(delta: ConversationDelta, event: SupportEvent): void {
  delta.event_count += 1;
  const at = event.metadata.occurredAt.toISOString();
  if (at < delta.opened_at) delta.opened_at = at;
  if (at > delta.updated_at) delta.updated_at = at;
  switch (event.type) {
    case 'RequestReceived': {
      delta.request_count += 1;
      const key = orderingKey(event, 0);
      if (newer(key, delta.request_key)) {
        delta.request_key = key;
        delta.customer_id = event.data.customerId;
        delta.channel = event.data.channel;
        delta.customer_tier = event.data.customerTier;
        delta.subject = event.data.subject;
        delta.last_message = event.data.message;
        delta.last_request_id = event.metadata.requestId;
      }
      setStatus(delta, event, 'RECEIVED');
      return;
    }
    case 'AgentStepCompleted': {
      delta.step_count += 1;
      const key = orderingKey(event, 1);
      if (newer(key, delta.step_key)) {
        delta.step_key = key;
        delta.current_step = event.data.node;
        delta.next_step = event.data.next;
      }
      if (event.data.node === 'triage' && newer(key, delta.triage_key)) {
        const output = parseOutput(event.data.output);
        delta.triage = output['triageDecision'] ?? output;
        delta.triage_key = key;
      }
      setStatus(delta, event, 'IN_PROGRESS');
      return;
    }
    case 'StepFailed':
      delta.failure_count += 1;
      setStatus(delta, event, event.data.willRetry ? 'IN_PROGRESS' : 'FAILED');
      return;
    case 'ApprovalRequested':
      setStatus(delta, event, 'AWAITING_APPROVAL');
      return;
    case 'RunCompleted': {
      const key = orderingKey(event, 4);
      if (newer(key, delta.reply_key)) {
        delta.reply_key = key;
        delta.outcome = event.data.outcome;
        delta.final_reply = event.data.finalReply;
        delta.citations = event.data.citations;
      }
      setStatus(delta, event, event.data.outcome);
      return;
    }
    case 'ReplyReady':
      delta.customer_id ??= event.data.customerId;
      return;
    // Decisions and expiry change the status through the step that follows them (a refused late
    // decision must not reopen a closed conversation); the rest only count as events.
    case 'ApprovalDecided':
    case 'ApprovalExpired':
    case 'SupervisorAlert':
    case 'StepMetrics':
    case 'LlmUsage':
    case 'RequestOutcome':
      return;
    default: {
      const unknownEvent: never = event;
      throw new Error(`unhandled event type ${(unknownEvent as SupportEvent).type}`);
    }
  }
}

const zeroAgent = (tenant_id: string, node: string): AgentStatsDelta => ({ tenant_id, node, ...Object.fromEntries(AGENT_COUNTERS.map((name) => [name, 0])) }) as AgentStatsDelta;
const zeroTenant = (tenant_id: string): TenantStatsDelta => ({ tenant_id, ...Object.fromEntries(TENANT_COUNTERS.map((name) => [name, 0])) }) as TenantStatsDelta;

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

const OUTCOME_COUNTER = {
  RESOLVED: 'resolved',
  RESOLVED_AFTER_APPROVAL: 'resolved_after_approval',
  HANDED_OFF: 'handed_off',
  FALLBACK: 'fallback',
  FAILED: 'failed',
} as const satisfies Record<string, TenantCounter>;

const APPROVAL_COUNTER = {
  APPROVED: 'approvals_approved',
  REJECTED: 'approvals_rejected',
  EDITED: 'approvals_edited',
  EXPIRED: 'approvals_expired',
} as const satisfies Record<Exclude<ApprovalStatus, 'PENDING'>, TenantCounter>;

export const approvalCounter = (status: Exclude<ApprovalStatus, 'PENDING'>): TenantCounter => APPROVAL_COUNTER[status];

/**
 * The read-model change of events not seen before (the caller has already dropped duplicates).
 * Keys come out sorted, so every transaction locks rows in the same order.
 */
export function foldBatch(records: readonly ProjectedEvent[]): BatchDelta {
  const events: EventRow[] = [];
  const conversations = new Map<string, ConversationDelta>();
  const approvals: ApprovalChange[] = [];
  const agents = new Map<string, AgentStatsDelta>();
  const costs = new Map<string, CostStatsDelta>();
  const tenants = new Map<string, TenantStatsDelta>();
  for (const { event, topic, partition, offset, schemaId } of records) {
    const { metadata } = event;
    events.push({
      event_id: metadata.eventId,
      conversation_id: metadata.conversationId,
      tenant_id: metadata.tenantId,
      type: event.type,
      topic,
      partition,
      offset,
      occurred_at: metadata.occurredAt.toISOString(),
      producer: metadata.producer,
      request_id: metadata.requestId,
      correlation_id: metadata.correlationId,
      causation_id: metadata.causationId,
      schema_id: schemaId,
      summary: summarizeEvent(event),
      payload: { metadata, data: event.data },
    });
    evolveConversation(getOrCreate(conversations, metadata.conversationId, () => emptyConversation(event)), event);
    const tenant = () => getOrCreate(tenants, metadata.tenantId, () => zeroTenant(metadata.tenantId));
    const agent = (node: string) => getOrCreate(agents, `${metadata.tenantId}\u0000${node}`, () => zeroAgent(metadata.tenantId, node));
    switch (event.type) {
      case 'RequestReceived':
        tenant().requests += 1;
        break;
      case 'RunCompleted':
        tenant().runs_completed += 1;
        tenant()[OUTCOME_COUNTER[event.data.outcome]] += 1;
        break;
      case 'RequestOutcome': {
        const stats = tenant();
        if (event.data.escalated) stats.escalated += 1;
        stats.handling_ms += event.data.handlingTimeMs;
        if (event.data.qualityScore !== null) {
          // Integers, so sums do not depend on the order they are added in (a rebuild adds them in
          // other batches than the live service did, and must end with the same value).
          stats.quality_sum_micros += Math.round(event.data.qualityScore * 1_000_000);
          stats.quality_count += 1;
        }
        break;
      }
      case 'StepFailed':
        tenant().step_failures += 1;
        break;
      case 'ReplyReady':
        tenant().replies += 1;
        break;
      case 'SupervisorAlert':
        tenant().alerts += 1;
        break;
      case 'StepMetrics': {
        const stats = agent(event.data.node);
        if (event.data.status === 'COMPLETED') stats.steps_completed += 1;
        else if (event.data.status === 'FAILED') stats.steps_failed += 1;
        else stats.steps_duplicate += 1;
        stats.step_duration_ms += event.data.durationMs;
        stats.queue_delay_ms += event.data.queueDelayMs;
        break;
      }
      case 'LlmUsage': {
        const stats = agent(event.data.node);
        stats.llm_calls += 1;
        if (event.data.cached) stats.llm_cached_calls += 1;
        stats.prompt_tokens += event.data.promptTokens;
        stats.completion_tokens += event.data.completionTokens;
        stats.llm_latency_ms += event.data.latencyMs;
        const cost = getOrCreate(costs, `${metadata.tenantId}\u0000${event.data.model}\u0000${event.data.cost.currency}`, () => ({
          tenant_id: metadata.tenantId,
          model: event.data.model,
          currency: event.data.cost.currency,
          calls: 0,
          cost_micros: 0,
        }));
        cost.calls += 1;
        cost.cost_micros += event.data.cost.amountMicros;
        break;
      }
      case 'ApprovalRequested':
        tenant().approvals_requested += 1;
        approvals.push({
          kind: 'requested',
          approvalId: event.data.approvalId,
          eventId: metadata.eventId,
          conversationId: metadata.conversationId,
          tenantId: metadata.tenantId,
          row: {
            run_id: event.data.runId,
            risk: event.data.risk,
            risk_score: event.data.riskScore,
            reason: event.data.reason,
            proposed_reply: event.data.proposedReply,
            proposed_actions: event.data.proposedActions,
            requested_at: metadata.occurredAt.toISOString(),
            expires_at: event.data.expiresAt.toISOString(),
          },
        });
        break;
      case 'ApprovalDecided':
        approvals.push({
          kind: 'closed',
          approvalId: event.data.approvalId,
          eventId: metadata.eventId,
          conversationId: metadata.conversationId,
          tenantId: metadata.tenantId,
          status: event.data.decision,
          decidedBy: event.data.decidedBy,
          comment: event.data.comment,
          editedReply: event.data.editedReply,
          decidedAt: metadata.occurredAt.toISOString(),
        });
        break;
      case 'ApprovalExpired':
        approvals.push({
          kind: 'closed',
          approvalId: event.data.approvalId,
          eventId: metadata.eventId,
          conversationId: metadata.conversationId,
          tenantId: metadata.tenantId,
          status: 'EXPIRED',
          decidedBy: null,
          comment: event.data.fallbackPath,
          editedReply: null,
          decidedAt: event.data.expiredAt.toISOString(),
        });
        break;
      case 'AgentStepCompleted':
        break;
      default: {
        const unknownEvent: never = event;
        throw new Error(`unhandled event type ${(unknownEvent as SupportEvent).type}`);
      }
    }
  }
  const sorted = <V>(map: Map<string, V>): V[] => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
  return { events, conversations: sorted(conversations), approvals, agentStats: sorted(agents), costStats: sorted(costs), tenantStats: sorted(tenants) };
}
