import type { RegistryClient, SubjectVersion } from '@supportstream/events';

export interface SchemaVersion {
  /** null when the registry could not say (unknown id, no such endpoint, registry down). */
  readonly subject: string | null;
  readonly version: number | null;
}

/** The registry subject and version of a schema id, for the audit history. */
export interface SchemaVersionLookup {
  resolve(schemaId: number, topic: string, eventType: string): Promise<SchemaVersion>;
}

export interface SchemaVersionLookupOptions {
  readonly registry: Pick<RegistryClient, 'versionsOfSchemaId'>;
  /** Schema ids remembered (a schema id's versions never change); the oldest is dropped beyond this. */
  readonly maxEntries?: number;
  /** How long a failed lookup is remembered, so a registry that is down is not asked on every request. */
  readonly failureTtlMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly versions: Promise<readonly SubjectVersion[] | undefined>;
  failedAt?: number;
}

/**
 * Confluent's `GET /schemas/ids/{id}/versions` (Apicurio's ccompat API answers it too), cached per
 * id. One id may be registered under several subjects when their contents are identical; the
 * subject of the record's topic and type (`<topic>-<namespace>.<Type>`) is preferred. An answer
 * the registry could not give leaves subject and version null: the id is still shown.
 */
export function createSchemaVersionLookup(options: SchemaVersionLookupOptions): SchemaVersionLookup {
  const maxEntries = options.maxEntries ?? 1_000;
  const failureTtlMs = options.failureTtlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const cache = new Map<number, Entry>();

  const versionsOf = (schemaId: number): Promise<readonly SubjectVersion[] | undefined> => {
    const cached = cache.get(schemaId);
    if (cached !== undefined && (cached.failedAt === undefined || now() - cached.failedAt < failureTtlMs)) return cached.versions;
    const entry: Entry = {
      versions: options.registry.versionsOfSchemaId(schemaId).then(
        (versions) => versions,
        () => {
          entry.failedAt = now();
          return undefined;
        },
      ),
    };
    cache.delete(schemaId);
    cache.set(schemaId, entry);
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    return entry.versions;
  };

  return {
    async resolve(schemaId, topic, eventType) {
      const versions = (await versionsOf(schemaId)) ?? [];
      const ofType = (entry: SubjectVersion) => entry.subject.endsWith(`.${eventType}`) || entry.subject.endsWith(`-${eventType}`);
      const match = versions.find((entry) => entry.subject.startsWith(`${topic}-`) && ofType(entry)) ?? versions.find(ofType) ?? versions[0];
      return { subject: match?.subject ?? null, version: match?.version ?? null };
    },
  };
}
