import { causedBy, customerOf, deterministicEventId, stableId, type Channel, type EventDataMap, type EventFactory, type EventType, type SupportEvent } from '@supportstream/events';
import { currentRunId, runStartedAtOf, runUsageOf, stepCountOf, type ApprovalRequest, type SupportStateType } from '@supportstream/graph';
import type { StepOutcome } from './stepRunner.js';

const CHANNELS: readonly Channel[] = ['WEB', 'EMAIL', 'CHAT', 'API', 'PHONE'];
const channelOf = (value: string | undefined): Channel => (CHANNELS as readonly string[]).includes(value ?? '') ? (value as Channel) : 'API';

/**
 * Turns a step's checkpoint into the events that announce it. Everything (ids, times, content)
 * is derived from the checkpoint and the trigger, so a replayed step re-emits identical events
 * and downstream deduplication by id absorbs them.
 */
export function stepEvents(outcome: StepOutcome, trigger: SupportEvent, factory: EventFactory): SupportEvent[] {
  const { snapshot } = outcome;
  const state = snapshot.values;
  const checkpointId = snapshot.checkpointId ?? '';
  const conversationId = trigger.metadata.conversationId;
  // Events belong to the request the run answers, even when a different event triggered the step
  // (a follow-up started after the previous run's RunCompleted).
  const context = {
    ...causedBy(trigger),
    requestId: state.request?.requestId ?? trigger.metadata.requestId,
    correlationId: state.request?.correlationId ?? trigger.metadata.correlationId,
    // The request's customer: their data key seals the step's personal fields.
    customerId: state.request?.customerId ?? customerOf(trigger),
  };
  const events: SupportEvent[] = [];
  const emit = <T extends EventType>(type: T, node: string, data: EventDataMap[T], at: Date, index = 0) => {
    events.push(factory.create(type, data, context, deterministicEventId({ conversationId, checkpointId, node, eventType: type, index }), at) as SupportEvent);
  };

  if (outcome.kind === 'stale') return [];

  if (outcome.kind === 'paused') {
    const request = snapshot.interrupts[0] as ApprovalRequest | undefined;
    if (!request) return [];
    const requestedAt = new Date(request.requestedAt);
    emit(
      'ApprovalRequested',
      'escalate',
      {
        approvalId: request.approvalId,
        runId: currentRunId(state),
        checkpointId,
        reason: request.reason,
        risk: request.risk,
        riskScore: request.riskScore,
        proposedReply: request.proposedReply,
        proposedActions: state.proposedActions.map((action) => ({ kind: action.kind, description: action.description, amount: action.amount, parameters: action.parameters })),
        expiresAt: new Date(request.expiresAt),
      },
      requestedAt,
    );
    emit(
      'SupervisorAlert',
      'escalate',
      {
        alertId: stableId('alert', request.approvalId),
        severity: request.risk === 'CRITICAL' ? 'CRITICAL' : 'WARNING',
        reason: 'approval_requested',
        message: `Approval ${request.approvalId} needed: ${request.reason} (decide before ${request.expiresAt})`,
        approvalId: request.approvalId,
      },
      requestedAt,
    );
    return events;
  }

  const step = state.lastStep;
  if (!step) return [];
  const startedAt = new Date(step.startedAt);
  const endedAt = new Date(startedAt.getTime() + step.durationMs);
  const attempt = step.node === 'solution' ? Math.max(1, state.solutionAttempts) : 1;
  emit(
    'AgentStepCompleted',
    step.node,
    {
      runId: currentRunId(state),
      node: step.node,
      checkpointId,
      stepIndex: stepCountOf(state),
      attempt,
      next: snapshot.next[0] ?? null,
      summary: step.summary,
      output: JSON.stringify(step.output),
      durationMs: step.durationMs,
    },
    endedAt,
  );
  emit(
    'StepMetrics',
    step.node,
    {
      runId: currentRunId(state),
      node: step.node,
      status: 'COMPLETED',
      attempt,
      durationMs: step.durationMs,
      queueDelayMs: Math.max(0, startedAt.getTime() - trigger.metadata.occurredAt.getTime()),
    },
    endedAt,
  );
  step.llmCalls.forEach((call, index) => {
    emit(
      'LlmUsage',
      step.node,
      {
        runId: currentRunId(state),
        node: step.node,
        provider: call.provider,
        model: call.model,
        promptTokens: call.promptTokens,
        completionTokens: call.completionTokens,
        latencyMs: call.latencyMs,
        cost: { amountMicros: call.cached ? 0 : call.costMicros, currency: call.currency },
        cached: call.cached,
      },
      endedAt,
      index,
    );
  });
  if (snapshot.next.length === 0 && state.outcome) emitRunEnd(state, endedAt, emit);
  return events;
}

type Emit = <T extends EventType>(type: T, node: string, data: EventDataMap[T], at: Date, index?: number) => void;

/** The run ended: its outcome, the reply to deliver and the analytics summary. */
function emitRunEnd(state: SupportStateType, endedAt: Date, emit: Emit): void {
  const outcome = state.outcome ?? 'FAILED';
  const citations = state.finalCitations.map((citation) => ({ sourceId: citation.sourceId, title: citation.title, url: null, score: null }));
  const node = state.lastStep?.node ?? 'end';
  const runMs = Math.max(0, endedAt.getTime() - Date.parse(runStartedAtOf(state)));
  emit('RunCompleted', node, { runId: currentRunId(state), outcome, finalReply: state.finalReply, citations, stepCount: stepCountOf(state), durationMs: runMs }, endedAt);
  if (state.finalReply !== null && state.request) {
    emit(
      'ReplyReady',
      node,
      { replyId: stableId('reply', currentRunId(state)), runId: currentRunId(state), customerId: state.request.customerId, channel: channelOf(state.request.channel), body: state.finalReply, citations },
      endedAt,
    );
  }
  emit(
    'RequestOutcome',
    node,
    {
      runId: currentRunId(state),
      outcome,
      escalated: state.approval !== null,
      handlingTimeMs: Math.max(0, endedAt.getTime() - Date.parse(state.request?.receivedAt ?? runStartedAtOf(state))),
      qualityScore: state.review?.score ?? null,
      stepCount: stepCountOf(state),
      llmCalls: runUsageOf(state).llmCalls,
      totalCost: { amountMicros: runUsageOf(state).costMicros, currency: 'USD' },
    },
    endedAt,
  );
}
