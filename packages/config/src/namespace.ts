/**
 * Namespaces (issue 12): one setting, SUPPORTSTREAM_NAMESPACE, derives every physical name the
 * platform uses on shared infrastructure: Kafka topics (and so their `.dlq` topics and registry
 * subjects), consumer groups, the PostgreSQL database, Redis key prefixes and the vector store
 * collection. No namespace (unset or empty) keeps today's names exactly, so an existing platform
 * is unchanged. Pure functions: every place that names something physical goes through them.
 */

/** Lower-case letters, digits and `-`, starting with a letter, at most 31 characters. */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

/** A namespace, or undefined for none (today's names). */
export type Namespace = string | undefined;

export class InvalidNamespaceError extends Error {
  override readonly name = 'InvalidNamespaceError';
}

/** '' and undefined mean none; anything else must match NAMESPACE_PATTERN. */
export function normalizeNamespace(value: string | undefined | null): Namespace {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (!NAMESPACE_PATTERN.test(trimmed)) {
    throw new InvalidNamespaceError(`namespace ${JSON.stringify(value)} must match ${NAMESPACE_PATTERN.source} (lower-case letters, digits and -, starting with a letter)`);
  }
  return trimmed;
}

/** `customer.requests` → `<ns>.customer.requests`; `<topic>.dlq` of a physical topic is then namespaced too. */
export function topicName(namespace: Namespace, logical: string): string {
  return namespace ? `${namespace}.${logical}` : logical;
}

/** The logical name of a physical topic of this namespace, or undefined when the topic is not in it. */
export function logicalTopicName(namespace: Namespace, physical: string): string | undefined {
  if (!namespace) return physical;
  const prefix = `${namespace}.`;
  return physical.startsWith(prefix) ? physical.slice(prefix.length) : undefined;
}

/** `supportstream-triage` → `<ns>.supportstream-triage`. */
export function groupName(namespace: Namespace, group: string): string {
  return namespace ? `${namespace}.${group}` : group;
}

/** The logical name of a physical consumer group of this namespace, or undefined when it is not in it. */
export function logicalGroupName(namespace: Namespace, physical: string): string | undefined {
  return logicalTopicName(namespace, physical);
}

/** The ioredis `keyPrefix` of a namespace: '' for none (keys unchanged), else `<ns>:`. */
export function redisPrefix(namespace: Namespace): string {
  return namespace ? `${namespace}:` : '';
}

/** `supportstream` → `supportstream_<ns with - as _>` (PostgreSQL identifiers need no quoting then). */
export function databaseName(namespace: Namespace, base: string): string {
  return namespace ? `${base}_${namespace.replaceAll('-', '_')}` : base;
}

/** DATABASE_URL with its database replaced by the namespace's (the URL unchanged for none). */
export function databaseUrl(namespace: Namespace, url: string): string {
  if (!namespace) return url;
  const parsed = new URL(url);
  const base = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
  parsed.pathname = `/${databaseName(namespace, base)}`;
  return parsed.toString();
}

/** A vector store collection: `knowledge` → `<ns>_knowledge` (Qdrant names allow `_` and `-`). */
export function collectionName(namespace: Namespace, base: string): string {
  return namespace ? `${namespace}_${base}` : base;
}
