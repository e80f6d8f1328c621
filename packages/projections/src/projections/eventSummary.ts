import type { SupportEvent } from '@supportstream/events';

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
    case 'DeadLetterReplayed':
      return clip(`dead letter ${event.data.dlqTopic}[${event.data.dlqPartition}]@${event.data.dlqOffset} replayed to ${event.data.originalTopic} by ${event.data.replayedBy}`);
    default: {
      const unknownEvent: never = event;
      return String((unknownEvent as SupportEvent).type);
    }
  }
}
