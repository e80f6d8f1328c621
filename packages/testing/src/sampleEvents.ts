import { createEventFactory, randomId, type EventContext, type EventDataMap, type EventType, type SupportEvent } from '@supportstream/events';

const money = (amountMicros: number, currency = 'EUR') => ({ amountMicros, currency });

/** One valid payload per event type, for tests and benchmarks. */
export const SAMPLE_DATA: { readonly [K in EventType]: EventDataMap[K] } = {
  RequestReceived: {
    channel: 'WEB',
    customerId: 'cust-42',
    customerTier: 'VIP',
    subject: 'Double charge',
    message: 'I was charged twice for order #1001, please refund one payment.',
    locale: 'en-GB',
    attributes: { orderId: '1001' },
  },
  AgentStepCompleted: {
    runId: 'run-1',
    node: 'triage',
    checkpointId: 'ckpt-1',
    stepIndex: 1,
    attempt: 1,
    next: 'research',
    summary: 'billing / refund, high priority',
    output: JSON.stringify({ category: 'billing', priority: 'high' }),
    durationMs: 12,
  },
  StepFailed: {
    runId: 'run-1',
    node: 'research',
    checkpointId: null,
    attempt: 2,
    errorCode: 'LLM_TIMEOUT',
    errorMessage: 'model did not answer within 30 s',
    retriable: true,
    willRetry: true,
  },
  RunCompleted: {
    runId: 'run-1',
    outcome: 'RESOLVED_AFTER_APPROVAL',
    finalReply: 'We refunded the duplicate payment of 49.99 EUR.',
    citations: [{ sourceId: 'kb-refunds', title: 'Refund policy', url: 'https://example.invalid/kb/refunds', score: 0.91 }],
    stepCount: 7,
    durationMs: 5230,
  },
  ApprovalRequested: {
    approvalId: 'appr-1',
    runId: 'run-1',
    checkpointId: 'ckpt-5',
    reason: 'refund above 25.00 EUR',
    risk: 'HIGH',
    riskScore: 0.82,
    proposedReply: 'We will refund 49.99 EUR.',
    proposedActions: [{ kind: 'refund', description: 'Refund duplicate payment', amount: money(49_990_000), parameters: { orderId: '1001' } }],
    expiresAt: new Date('2026-01-01T12:00:00.000Z'),
  },
  ApprovalDecided: { approvalId: 'appr-1', decision: 'EDITED', decidedBy: 'supervisor@example.invalid', comment: 'friendlier tone', editedReply: 'Sorry! Refunded.' },
  ApprovalExpired: { approvalId: 'appr-2', expiredAt: new Date('2026-01-01T13:00:00.000Z'), fallbackPath: 'handoff' },
  ReplyReady: { replyId: 'reply-1', runId: 'run-1', customerId: 'cust-42', channel: 'EMAIL', body: 'Refunded.', citations: [] },
  SupervisorAlert: { alertId: 'alert-1', severity: 'CRITICAL', reason: 'approval_sla', message: 'Approval appr-1 waits for 10 minutes', approvalId: 'appr-1' },
  StepMetrics: { runId: 'run-1', node: 'solution', status: 'COMPLETED', attempt: 1, durationMs: 840, queueDelayMs: 15 },
  LlmUsage: { runId: 'run-1', node: 'solution', provider: 'offline', model: 'offline-1', promptTokens: 812, completionTokens: 164, latencyMs: 3, cost: money(0, 'USD'), cached: false },
  RequestOutcome: { runId: 'run-1', outcome: 'RESOLVED', escalated: false, handlingTimeMs: 5230, qualityScore: 0.93, stepCount: 6, llmCalls: 4, totalCost: money(1_234, 'USD') },
  DeadLetterReplayed: {
    replayId: 'replay-1',
    dlqTopic: 'customer.requests.dlq',
    dlqPartition: 0,
    dlqOffset: 17,
    originalTopic: 'customer.requests',
    originalPartition: 2,
    originalOffset: 4711,
    consumerGroup: 'triage',
    errorCode: 'UNKNOWN_SCHEMA_ID',
    reason: 'schema id 99 is not known to the registry',
    replayedBy: 'operator@example.invalid',
    replayedAt: new Date('2026-01-01T14:00:00.000Z'),
    replayedToPartition: 2,
    replayedToOffset: 5120,
  },
};

export function sampleContext(overrides: Partial<EventContext> = {}): EventContext {
  const conversationId = overrides.conversationId ?? `conv-${randomId()}`;
  return { conversationId, requestId: `req-${randomId()}`, tenantId: 'tenant-a', correlationId: randomId(), causationId: null, ...overrides };
}

const factory = createEventFactory({ producer: 'tests' });

export function sampleEvent<T extends EventType>(type: T, context: EventContext = sampleContext(), data?: Partial<EventDataMap[T]>): SupportEvent<T> {
  const merged: EventDataMap[T] = { ...SAMPLE_DATA[type], ...data };
  return factory.create(type, merged, context);
}
