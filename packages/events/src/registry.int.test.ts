import { stackConfig, uniqueName } from '@supportstream/testing';
import { describe, expect, it } from 'vitest';
import { parseAvro } from './logicalTypes.js';
import { createRegistryClient, RegistryHttpError } from './registryClient.js';

/**
 * Contract of the Confluent schema-registry REST API as this platform uses it. Written against
 * Confluent's documented behaviour, so it passes against Confluent's registry and any compatible one.
 */
const registry = createRegistryClient(stackConfig().SCHEMA_REGISTRY_URL);

const record = (fields: unknown[]) => ({ type: 'record', name: 'Contract', namespace: 'io.supportstream.contract', fields });
const v1 = record([{ name: 'a', type: 'string' }]);
const v2 = record([
  { name: 'a', type: 'string' },
  { name: 'b', type: 'int', default: 0 },
]);
// Compatible with v2 (which always has b) but not with v1 (no b, and no default to fill it).
const v3 = record([
  { name: 'a', type: 'string' },
  { name: 'b', type: 'int' },
]);

describe('schema registry contract', () => {
  it('registers, deduplicates and serves schemas by subject, version and id', async () => {
    const subject = uniqueName('contract');
    const id = await registry.register(subject, v1);
    expect(Number.isInteger(id) && id > 0).toBe(true);
    expect(await registry.register(subject, v1)).toBe(id);
    expect(await registry.versions(subject)).toEqual([1]);
    expect(await registry.subjects()).toContain(subject);
    expect(await registry.lookup(subject, v1)).toMatchObject({ subject, version: 1, id });
    expect(await registry.lookup(subject, v2)).toBeUndefined();
    const latest = await registry.version(subject, 'latest');
    expect(latest).toMatchObject({ subject, version: 1, id });
    expect(parseAvro(JSON.parse(await registry.schemaById(id))).equals(parseAvro(v1))).toBe(true);
  });

  it('stores compatibility per subject', async () => {
    const subject = uniqueName('contract');
    await registry.register(subject, v1);
    await registry.setCompatibility('BACKWARD_TRANSITIVE', subject);
    expect(await registry.getCompatibility(subject)).toBe('BACKWARD_TRANSITIVE');
    await registry.setCompatibility('NONE', subject);
    expect(await registry.getCompatibility(subject)).toBe('NONE');
  });

  it('checks BACKWARD_TRANSITIVE against every version and refuses an incompatible registration with 409', async () => {
    const subject = uniqueName('contract');
    await registry.register(subject, v1);
    await registry.setCompatibility('BACKWARD_TRANSITIVE', subject);
    expect(await registry.register(subject, v2)).toBeGreaterThan(0);
    expect(await registry.versions(subject)).toEqual([1, 2]);

    expect((await registry.checkCompatibility(subject, v3, 'latest')).compatible).toBe(true);
    const transitive = await registry.checkCompatibility(subject, v3);
    expect(transitive.compatible).toBe(false);

    const refused = await registry.register(subject, v3).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', retriable: false });
    expect(((refused as Error).cause as RegistryHttpError).status).toBe(409);
    expect(await registry.versions(subject)).toEqual([1, 2]);
  });

  it('answers 404 for an unknown schema id and an unknown subject', async () => {
    const error = await registry.schemaById(2_000_000_000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect((error as RegistryHttpError).status).toBe(404);
    expect(await registry.versions(uniqueName('missing'))).toEqual([]);
  });

  it('rejects a schema that is not valid Avro with 422', async () => {
    const subject = uniqueName('contract');
    const error = await registry.register(subject, { type: 'record', name: 'Broken', fields: [{ name: 'x', type: 'no-such-type' }] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SCHEMA_INVALID' });
  });
});
