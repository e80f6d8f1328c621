import { ConfigError } from '@supportstream/errors';
import { z } from 'zod';
import { databaseUrl, NAMESPACE_PATTERN } from './namespace.js';

export { ConfigError, z };
export {
  collectionName,
  databaseName,
  databaseUrl,
  groupName,
  InvalidNamespaceError,
  logicalGroupName,
  logicalTopicName,
  NAMESPACE_PATTERN,
  normalizeNamespace,
  redisPrefix,
  topicName,
  type Namespace,
} from './namespace.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment once at start-up. Every problem is reported at once, each naming
 * the variable, so a misconfigured deployment fails fast with a message that says what to fix.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return withNamespacedDatabase(result.data);
  const issues = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    const given = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    return given === undefined ? `${variable}: ${issue.message}` : `${variable}=${JSON.stringify(redact(variable, given))}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`, {
    details: { issues },
  });
}

/**
 * A namespace has a database of its own (issue 12): with SUPPORTSTREAM_NAMESPACE set, the parsed
 * DATABASE_URL names `<database>_<ns>` on the same server (namespace.ts `databaseUrl`), so every
 * pool, migration, checkpoint, queue and key of the process is the namespace's without any call
 * site knowing. `db migrate` creates that database. Unset: DATABASE_URL exactly as given.
 */
function withNamespacedDatabase<T>(config: T): T {
  if (typeof config !== 'object' || config === null) return config;
  const { SUPPORTSTREAM_NAMESPACE: namespace, DATABASE_URL: url } = config as Record<string, unknown>;
  if (typeof namespace !== 'string' || namespace === '' || typeof url !== 'string') return config;
  return { ...config, DATABASE_URL: databaseUrl(namespace, url) };
}

const SECRET_NAME = /SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE|MASTER_KEYS/i;

/** Error messages end up in logs: never echo a secret or the credentials inside a URL. */
function redact(variable: string, value: string): string {
  if (SECRET_NAME.test(variable)) return '<redacted>';
  return value.replace(/\/\/([^/@\s]*)@/, '//<credentials>@');
}

const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
  .refine((items) => items.length > 0, 'must list at least one host:port');

const url = (protocols: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with protocol ${protocols.join(' or ')}`);

/** The variables shared by every part of the platform; services extend this schema. */
export const platformEnvSchema = z.object({
  /**
   * Derives every topic, consumer group, database, Redis key prefix and registry subject
   * (namespace.ts). Unset or empty: none, today's names. Tests run in their own.
   */
  SUPPORTSTREAM_NAMESPACE: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()))
    .refine((value) => value === undefined || NAMESPACE_PATTERN.test(value), `must be empty or match ${NAMESPACE_PATTERN.source}`),
  KAFKA_BROKERS: commaList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  // The local stack's Apicurio registry serves the Confluent API under /apis/ccompat/v7.
  SCHEMA_REGISTRY_URL: url(['http:', 'https:']).default('http://127.0.0.1:8081/apis/ccompat/v7'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://supportstream:supportstream@127.0.0.1:5432/supportstream'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Interface of the /metrics server: loopback unless a scraper on another host needs it (0.0.0.0 in containers). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Master keys that wrap the per-customer data keys sealing events' personal fields:
   * `<id>:<base64 of 32 bytes>[,…]`, the first one current. Required when NODE_ENV is
   * `production`; elsewhere an unset value means a fixed development key (and a warning).
   */
  PRIVACY_MASTER_KEYS: z.string().optional(),
  NODE_ENV: z.string().optional(),
});

export type PlatformConfig = z.infer<typeof platformEnvSchema>;

export function loadPlatformConfig(env: Env = process.env): PlatformConfig {
  return parseEnv(platformEnvSchema, env);
}
