import type { SupportEvent } from '@supportstream/events';
import type { RowProjection } from './projection.js';
import { zeroCounters, type Counters } from './statistics.js';
import { columnOf, type Column, type TableSpec } from './table.js';

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
export type AgentStatsRow = { readonly tenant_id: string; readonly node: string } & Counters<typeof AGENT_COUNTERS>;
type AgentEvent = SupportEvent<'StepMetrics' | 'LlmUsage'>;

export const agentStatsTable: TableSpec<AgentStatsRow> = {
  name: 'agent_stats',
  columns: { tenant_id: columnOf.text, node: columnOf.text, ...(Object.fromEntries(AGENT_COUNTERS.map((name) => [name, columnOf.bigint])) as Record<(typeof AGENT_COUNTERS)[number], Column>) },
  primaryKey: ['tenant_id', 'node'],
};

/** Pure: one node's step and model-call counters of a tenant after one event. */
export function evolveAgentStats(current: AgentStatsRow | null, event: AgentEvent): AgentStatsRow {
  const row = current ?? { tenant_id: event.metadata.tenantId, node: event.data.node, ...zeroCounters(AGENT_COUNTERS) };
  const next: { -readonly [K in keyof AgentStatsRow]: AgentStatsRow[K] } = { ...row };
  switch (event.type) {
    case 'StepMetrics': {
      const { status } = event.data;
      if (status === 'COMPLETED') next.steps_completed += 1;
      else if (status === 'FAILED') next.steps_failed += 1;
      else next.steps_duplicate += 1;
      next.step_duration_ms += event.data.durationMs;
      next.queue_delay_ms += event.data.queueDelayMs;
      return next;
    }
    case 'LlmUsage':
      next.llm_calls += 1;
      if (event.data.cached) next.llm_cached_calls += 1;
      next.prompt_tokens += event.data.promptTokens;
      next.completion_tokens += event.data.completionTokens;
      next.llm_latency_ms += event.data.latencyMs;
      return next;
    default: {
      const unknownEvent: never = event;
      throw new Error(`unhandled event type ${(unknownEvent as SupportEvent).type}`);
    }
  }
}

export const agentStatsProjection: RowProjection<AgentStatsRow, AgentEvent['type']> = {
  table: agentStatsTable,
  canHandle: new Set<AgentEvent['type']>(['StepMetrics', 'LlmUsage']),
  keyOf: (event) => [event.metadata.tenantId, event.data.node],
  evolve: evolveAgentStats,
};
