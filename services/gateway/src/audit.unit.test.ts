import type { SubjectVersion } from '@supportstream/events';
import { describe, expect, it } from 'vitest';
import { causationTree } from './causation.js';
import { createSchemaVersionLookup } from './schemaVersions.js';

describe('causationTree', () => {
  it('gives each event its parent within the conversation and its ancestors, root first', () => {
    // given a request, two steps it caused in a chain, and an approval caused by the second step
    const tree = causationTree([
      { eventId: 'approval', causationId: 'triage' },
      { eventId: 'request', causationId: null },
      { eventId: 'moderate', causationId: 'request' },
      { eventId: 'triage', causationId: 'moderate' },
    ]);
    // then (whatever order they came in)
    expect(Object.fromEntries(tree)).toEqual({
      request: { parentEventId: null, chain: [] },
      moderate: { parentEventId: 'request', chain: ['request'] },
      triage: { parentEventId: 'moderate', chain: ['request', 'moderate'] },
      approval: { parentEventId: 'triage', chain: ['request', 'moderate', 'triage'] },
    });
  });

  it('makes an event whose cause is outside the conversation a root, and stops at a cycle', () => {
    const tree = causationTree([
      { eventId: 'follow-up', causationId: 'event-of-another-conversation' },
      { eventId: 'a', causationId: 'b' },
      { eventId: 'b', causationId: 'a' },
      { eventId: 'self', causationId: 'self' },
    ]);
    expect(tree.get('follow-up')).toEqual({ parentEventId: null, chain: [] });
    expect(tree.get('a')).toEqual({ parentEventId: 'b', chain: ['b'] });
    expect(tree.get('b')).toEqual({ parentEventId: 'a', chain: ['a'] });
    expect(tree.get('self')).toEqual({ parentEventId: null, chain: [] });
  });
});

describe('createSchemaVersionLookup', () => {
  const registry = (answers: Record<number, SubjectVersion[] | Error>) => {
    const asked: number[] = [];
    return {
      asked,
      versionsOfSchemaId: (id: number) => {
        asked.push(id);
        const answer = answers[id];
        return answer instanceof Error || answer === undefined ? Promise.reject(answer ?? new Error('404')) : Promise.resolve(answer);
      },
    };
  };

  it("prefers the subject of the record's topic and type, and asks the registry once per schema id", async () => {
    const fake = registry({
      7: [
        { subject: 'other.topic-io.supportstream.events.StepMetrics', version: 3 },
        { subject: 'agent.actions-io.supportstream.events.AgentStepCompleted', version: 2 },
        { subject: 'test.agent.actions-io.supportstream.events.AgentStepCompleted', version: 5 },
      ],
    });
    const lookup = createSchemaVersionLookup({ registry: fake });
    expect(await lookup.resolve(7, 'agent.actions', 'AgentStepCompleted')).toEqual({ subject: 'agent.actions-io.supportstream.events.AgentStepCompleted', version: 2 });
    expect(await lookup.resolve(7, 'elsewhere', 'AgentStepCompleted')).toEqual({ subject: 'agent.actions-io.supportstream.events.AgentStepCompleted', version: 2 });
    expect(await lookup.resolve(7, 'elsewhere', 'Unknown')).toEqual({ subject: 'other.topic-io.supportstream.events.StepMetrics', version: 3 });
    expect(fake.asked).toEqual([7]);
  });

  it('answers null subject and version when the registry fails, and asks again only after the failure TTL', async () => {
    let now = 1_000;
    const fake = registry({ 9: new Error('registry down') });
    const lookup = createSchemaVersionLookup({ registry: fake, failureTtlMs: 30_000, now: () => now });
    expect(await lookup.resolve(9, 'customer.requests', 'RequestReceived')).toEqual({ subject: null, version: null });
    now += 10_000;
    await lookup.resolve(9, 'customer.requests', 'RequestReceived');
    expect(fake.asked).toEqual([9]);
    now += 30_000;
    await lookup.resolve(9, 'customer.requests', 'RequestReceived');
    expect(fake.asked).toEqual([9, 9]);
  });

  it('keeps at most maxEntries schema ids', async () => {
    const fake = registry({ 1: [], 2: [], 3: [] });
    const lookup = createSchemaVersionLookup({ registry: fake, maxEntries: 2 });
    for (const id of [1, 2, 3, 3, 2, 1]) await lookup.resolve(id, 't', 'T');
    // 1 was dropped when 3 came in; 2 and 3 were remembered.
    expect(fake.asked).toEqual([1, 2, 3, 1]);
  });
});
