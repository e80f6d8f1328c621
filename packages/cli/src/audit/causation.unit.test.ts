import { createEventFactory, type EventType, type SupportEvent } from '@supportstream/events';
import { SAMPLE_DATA } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { orderByCausation, type LoggedEvent } from './causation.js';

const factory = createEventFactory({ producer: 'unit' });
const t0 = Date.parse('2026-01-01T10:00:00.000Z');

function logged(id: string, type: EventType, atMs: number, cause: string | null, topic: string, offset: number): LoggedEvent {
  const event = factory.create(type, SAMPLE_DATA[type], { conversationId: 'c', requestId: 'r', tenantId: 't', correlationId: 'x', causationId: cause }, id, new Date(t0 + atMs)) as SupportEvent;
  return { event, topic, partition: 0, offset: String(offset) };
}

const ids = (entries: ReturnType<typeof orderByCausation>) => entries.map((entry) => entry.record.event.metadata.eventId);

describe('orderByCausation', () => {
  it('given events in log order, when ordered, then by time with ties by topic, partition and offset', () => {
    const entries = orderByCausation([
      logged('metrics', 'StepMetrics', 100, 'request', 'system.analytics', 1),
      logged('step', 'AgentStepCompleted', 100, 'request', 'agent.actions', 7),
      logged('request', 'RequestReceived', 0, null, 'customer.requests', 3),
    ]);
    expect(ids(entries)).toEqual(['request', 'step', 'metrics']);
    expect(entries.map((entry) => entry.chain)).toEqual([[], ['request'], ['request']]);
  });

  it('given an effect stamped earlier than its cause (clock skew), then it still follows its cause', () => {
    const entries = orderByCausation([
      logged('request', 'RequestReceived', 0, null, 'customer.requests', 0),
      logged('triage', 'AgentStepCompleted', 200, 'moderate', 'agent.actions', 1),
      logged('done', 'RunCompleted', 150, 'triage', 'agent.actions', 2),
      logged('moderate', 'AgentStepCompleted', 100, 'request', 'agent.actions', 0),
    ]);
    expect(ids(entries)).toEqual(['request', 'moderate', 'triage', 'done']);
    expect(entries.at(-1)?.chain).toEqual(['request', 'moderate', 'triage']);
  });

  it('given a cause outside the conversation or a duplicate id, then the first is a root and the second is marked', () => {
    const entries = orderByCausation([
      logged('alert', 'SupervisorAlert', 0, 'elsewhere', 'notifications.outbound', 4),
      logged('step', 'AgentStepCompleted', 10, null, 'agent.actions', 1),
      logged('step', 'AgentStepCompleted', 10, null, 'agent.actions', 9),
    ]);
    expect(ids(entries)).toEqual(['alert', 'step', 'step']);
    expect(entries[0]?.chain).toEqual([]);
    expect(entries[1]?.duplicateOf).toBeUndefined();
    expect(entries[2]?.duplicateOf).toBe('agent.actions[0]@1');
  });

  it('given a causation cycle (corrupt data), then every record is still shown once', () => {
    const entries = orderByCausation([logged('a', 'StepMetrics', 0, 'b', 'system.analytics', 0), logged('b', 'StepMetrics', 5, 'a', 'system.analytics', 1)]);
    expect(ids(entries).sort()).toEqual(['a', 'b']);
  });
});
