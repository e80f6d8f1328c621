import type { RegistryClient, SubjectVersion } from '@supportstream/events';

export interface SchemaVersionInfo {
  readonly schemaId: number;
  /** null when the registry could not say (the endpoint is missing, or the id is unknown). */
  readonly subject: string | null;
  readonly version: number | null;
}

export interface SchemaVersionResolver {
  /** The subject and version of a record's writer schema; registry answers are cached per id. */
  resolve(schemaId: number, topic: string, writerSchema: string): Promise<SchemaVersionInfo>;
}

/**
 * Confluent's `GET /schemas/ids/{id}/versions` (Apicurio's ccompat v7 API answers it too). One id
 * may be registered under several subjects when their contents are identical; the subject of the
 * record's topic (`<topic>-<record full name>`) is preferred. A registry without the endpoint, or
 * one that does not know the id, leaves the subject unknown: the id is still shown.
 */
export function schemaVersionResolver(registry: RegistryClient): SchemaVersionResolver {
  const cache = new Map<number, Promise<readonly SubjectVersion[]>>();
  const versionsOf = (schemaId: number) => {
    let pending = cache.get(schemaId);
    if (!pending) {
      pending = registry.versionsOfSchemaId(schemaId).catch(() => []);
      cache.set(schemaId, pending);
    }
    return pending;
  };
  return {
    async resolve(schemaId, topic, writerSchema) {
      const versions = await versionsOf(schemaId);
      const match =
        versions.find((entry) => entry.subject === `${topic}-${writerSchema}`) ??
        versions.find((entry) => entry.subject.endsWith(`-${writerSchema}`)) ??
        versions[0];
      return { schemaId, subject: match?.subject ?? null, version: match?.version ?? null };
    },
  };
}

export const describeSchema = (info: SchemaVersionInfo): string =>
  info.subject === null ? `schema id ${info.schemaId}` : `${info.subject} v${info.version ?? '?'} (id ${info.schemaId})`;
