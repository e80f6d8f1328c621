import { createEventFactory, stableId, type EventContext, type EventDataMap, type EventType, type SupportEvent } from '@supportstream/events';

export interface ScriptedConversationOptions {
  readonly conversationId: string;
  readonly tenantId: string;
  readonly customerId?: string;
  /** Time of the request; every later event is a few hundred milliseconds after the previous one. */
  readonly startedAt: Date;
  /** `approved`: escalated, approved, resolved after approval; `resolved`: answered directly; `rejected`: handed off. */
  readonly path?: 'resolved' | 'approved' | 'rejected';
  readonly message?: string;
}

/**
 * A whole conversation as the pipeline would log it, with fixed ids and times (ids are stable per
 * conversation, so building it twice gives the same events): the request, every step, metrics,
 * LLM usage, the approval round trip when escalated, the end of the run and the reply. For
 * projection tests and benchmarks that need realistic logs without running the agents.
 */
export function scriptedConversation(options: ScriptedConversationOptions): SupportEvent[] {
  const path = options.path ?? 'resolved';
  const { conversationId, tenantId } = options;
  const customerId = options.customerId ?? `cust-${conversationId.slice(-6)}`;
  const factory = createEventFactory({ producer: 'scripted' });
  const requestId = stableId('request', conversationId);
  const runId = stableId('run', requestId);
  const context = (causationId: string | null): EventContext => ({ conversationId, requestId, tenantId, correlationId: stableId('correlation', conversationId), causationId, customerId });
  const events: SupportEvent[] = [];
  let clock = options.startedAt.getTime();
  let previous: string | null = null;
  const emit = <T extends EventType>(type: T, data: EventDataMap[T], name: string, advanceMs = 150): SupportEvent<T> => {
    clock += advanceMs;
    const event = factory.create<T>(type, data, context(previous), stableId(conversationId, name), new Date(clock));
    events.push(event as SupportEvent);
    return event;
  };
  const request = emit(
    'RequestReceived',
    { channel: 'WEB', customerId, customerTier: path === 'resolved' ? 'STANDARD' : 'VIP', subject: null, message: options.message ?? (path === 'resolved' ? 'How do I reset my password?' : 'I was charged twice, please refund 49.99 EUR.'), locale: null, attributes: {} },
    'request',
    0,
  );
  previous = request.metadata.eventId;
  const step = (node: string, next: string | null, index: number, output: object = {}) => {
    const completed = emit('AgentStepCompleted', { runId, node, checkpointId: `ckpt-${index}`, stepIndex: index, attempt: 1, next, summary: `${node} done`, output: JSON.stringify(output), durationMs: 40 + index }, `step-${node}-${index}`);
    emit('StepMetrics', { runId, node, status: 'COMPLETED', attempt: 1, durationMs: 40 + index, queueDelayMs: 5 }, `metrics-${node}-${index}`, 0);
    if (node !== 'moderate') {
      emit('LlmUsage', { runId, node, provider: 'offline', model: 'offline-1', promptTokens: 300 + index, completionTokens: 60 + index, latencyMs: 3, cost: { amountMicros: 120 + index, currency: 'USD' }, cached: false }, `llm-${node}-${index}`, 0);
    }
    previous = completed.metadata.eventId;
  };
  step('moderate', 'triage', 1);
  step('triage', 'research', 2, { triageDecision: { category: path === 'resolved' ? 'how_to' : 'billing', priority: path === 'resolved' ? 'low' : 'high' } });
  step('research', 'solution', 3);
  step('solution', 'quality', 4);
  let outcome: EventDataMap['RunCompleted']['outcome'] = 'RESOLVED';
  let reply = 'Open Settings, choose Security, then Reset password.';
  if (path === 'resolved') {
    step('quality', 'respond', 5);
    step('respond', null, 6);
  } else {
    step('quality', 'escalate', 5);
    const approvalId = stableId('approval', conversationId);
    const requested = emit(
      'ApprovalRequested',
      { approvalId, runId, checkpointId: 'ckpt-6', reason: 'refund above 25.00 EUR', risk: 'HIGH', riskScore: 0.8, proposedReply: 'We will refund 49.99 EUR.', proposedActions: [{ kind: 'refund', description: 'Refund duplicate payment', amount: { amountMicros: 49_990_000, currency: 'EUR' }, parameters: {} }], expiresAt: new Date(clock + 3_600_000) },
      'approval-requested',
    );
    emit('SupervisorAlert', { alertId: stableId('alert', approvalId), severity: 'WARNING', reason: 'approval_requested', message: `Approval ${approvalId} needed`, approvalId }, 'alert', 0);
    previous = requested.metadata.eventId;
    const decided = emit('ApprovalDecided', { approvalId, decision: path === 'approved' ? 'APPROVED' : 'REJECTED', decidedBy: 'supervisor@example.invalid', comment: null, editedReply: null }, 'approval-decided', 2_000);
    previous = decided.metadata.eventId;
    if (path === 'approved') {
      step('respond', null, 7);
      outcome = 'RESOLVED_AFTER_APPROVAL';
      reply = 'We refunded the duplicate payment of 49.99 EUR.';
    } else {
      step('handoff', null, 7);
      outcome = 'HANDED_OFF';
      reply = 'A colleague will contact you shortly.';
    }
  }
  const completed = emit('RunCompleted', { runId, outcome, finalReply: reply, citations: [{ sourceId: 'kb-1', title: 'Article', url: null, score: 0.9 }], stepCount: events.filter((event) => event.type === 'AgentStepCompleted').length, durationMs: clock - options.startedAt.getTime() }, 'run-completed', 0);
  previous = completed.metadata.eventId;
  emit('ReplyReady', { replyId: stableId('reply', runId), runId, customerId, channel: 'WEB', body: reply, citations: [] }, 'reply', 0);
  emit('RequestOutcome', { runId, outcome, escalated: path !== 'resolved', handlingTimeMs: clock - options.startedAt.getTime(), qualityScore: 0.87, stepCount: 6, llmCalls: 5, totalCost: { amountMicros: 640, currency: 'USD' } }, 'outcome', 0);
  return events;
}
