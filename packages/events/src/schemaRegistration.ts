import type { CompatibilityLevel, RegistryClient } from './registryClient.js';
import type { EventSchemaDefinition } from './schemaSet.js';

export const EVENT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD_TRANSITIVE';

export interface RegistrationResult {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  readonly isNew: boolean;
}

/**
 * Registers every event schema under `<topic>-<record full name>` with BACKWARD_TRANSITIVE
 * compatibility set on the subject first. The registry refuses an incompatible version (409).
 */
export async function registerEventSchemas(registry: RegistryClient, definitions: readonly EventSchemaDefinition[]): Promise<RegistrationResult[]> {
  const results: RegistrationResult[] = [];
  for (const definition of definitions) {
    const before = await registry.lookup(definition.subject, definition.schema);
    if (before) {
      results.push({ subject: definition.subject, id: before.id, version: before.version, isNew: false });
      continue;
    }
    if ((await registry.getCompatibility(definition.subject)) !== EVENT_COMPATIBILITY) {
      await registry.setCompatibility(EVENT_COMPATIBILITY, definition.subject);
    }
    const id = await registry.register(definition.subject, definition.schema);
    const after = await registry.lookup(definition.subject, definition.schema);
    results.push({ subject: definition.subject, id, version: after?.version ?? -1, isNew: true });
  }
  return results;
}

export interface CompatibilityProblem {
  readonly subject: string;
  readonly against: string;
  readonly messages: readonly string[];
}

/** Checks each current schema against the versions the registry holds for its subject. */
export async function checkAgainstRegistry(registry: RegistryClient, definitions: readonly EventSchemaDefinition[]): Promise<CompatibilityProblem[]> {
  const problems: CompatibilityProblem[] = [];
  for (const definition of definitions) {
    if ((await registry.versions(definition.subject)).length === 0) continue;
    const result = await registry.checkCompatibility(definition.subject, definition.schema);
    if (!result.compatible) problems.push({ subject: definition.subject, against: `registry ${registry.url}`, messages: result.messages });
  }
  return problems;
}

/**
 * Checks each current schema against earlier versions (for example every version in git
 * history) by loading them into scratch subjects of the real registry and asking it, so the
 * verdict follows the registry's own Avro resolution rules. Scratch subjects are deleted after.
 */
export async function checkAgainstHistory(
  registry: RegistryClient,
  definitions: readonly EventSchemaDefinition[],
  history: ReadonlyMap<string, readonly unknown[]>,
  label = 'history',
): Promise<CompatibilityProblem[]> {
  const problems: CompatibilityProblem[] = [];
  const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  for (const definition of definitions) {
    const versions = history.get(definition.subject) ?? [];
    if (versions.length === 0) continue;
    const scratch = `_compat-check.${nonce}.${definition.subject}`;
    try {
      await registry.setCompatibility('NONE', scratch);
      for (const version of versions) await registry.register(scratch, version);
      await registry.setCompatibility(EVENT_COMPATIBILITY, scratch);
      const result = await registry.checkCompatibility(scratch, definition.schema);
      if (!result.compatible) problems.push({ subject: definition.subject, against: `${versions.length} earlier version(s) from ${label}`, messages: result.messages });
    } finally {
      await registry.deleteSubject(scratch, true);
    }
  }
  return problems;
}
