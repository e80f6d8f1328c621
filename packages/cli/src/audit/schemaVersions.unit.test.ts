import { RegistryHttpError, type RegistryClient, type SubjectVersion } from '@supportstream/events';
import { describe, expect, it } from 'vitest';
import { describeSchema, schemaVersionResolver } from './schemaVersions.js';

function registry(answer: (id: number) => Promise<SubjectVersion[]>): RegistryClient & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    versionsOfSchemaId: (id: number) => {
      calls.push(id);
      return answer(id);
    },
  } as unknown as RegistryClient & { calls: number[] };
}

describe('schemaVersionResolver', () => {
  it('given an id under several subjects, then the subject of the record topic, asked once per id', async () => {
    const fake = registry(() =>
      Promise.resolve([
        { subject: 'scratch-io.supportstream.events.RunCompleted', version: 4 },
        { subject: 'agent.actions-io.supportstream.events.RunCompleted', version: 2 },
      ]),
    );
    const resolver = schemaVersionResolver(fake);
    const info = await resolver.resolve(7, 'agent.actions', 'io.supportstream.events.RunCompleted');
    await resolver.resolve(7, 'agent.actions', 'io.supportstream.events.RunCompleted');
    expect(info).toEqual({ schemaId: 7, subject: 'agent.actions-io.supportstream.events.RunCompleted', version: 2 });
    expect(describeSchema(info)).toBe('agent.actions-io.supportstream.events.RunCompleted v2 (id 7)');
    expect(fake.calls).toEqual([7]);
  });

  it('given a registry without the endpoint, then the id is shown instead', async () => {
    const resolver = schemaVersionResolver(registry(() => Promise.reject(new RegistryHttpError(404, 404, 'HTTP 404 Not Found'))));
    const info = await resolver.resolve(9, 'agent.actions', 'io.supportstream.events.RunCompleted');
    expect(info).toEqual({ schemaId: 9, subject: null, version: null });
    expect(describeSchema(info)).toBe('schema id 9');
  });
});
