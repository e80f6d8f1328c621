import { parseEnv, platformEnvSchema, z } from '@supportstream/config';

const regex = z.string().refine((value) => {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}, 'must be a regular expression');

/** Everything the analytics service reads from its environment, parsed once, failing fast. */
export const analyticsEnvSchema = platformEnvSchema.extend({
  ANALYTICS_GROUP: z.string().min(1).default('supportstream-analytics'),
  ANALYTICS_TOPIC: z.string().min(1).default('system.analytics'),
  /** How often the in-memory copy of the last hour of buckets is read from PostgreSQL. */
  ANALYTICS_REFRESH_MS: z.coerce.number().int().min(100).default(5_000),
  /** Folded event ids are kept this long (longer than system.analytics' retention of 14 days). */
  ANALYTICS_EVENT_ID_RETENTION_DAYS: z.coerce.number().min(1).default(15),
  /** The admin exporter: how often it reads watermarks and committed offsets. */
  ANALYTICS_KAFKA_POLL_MS: z.coerce.number().int().min(1_000).default(15_000),
  /** Consumer groups whose lag is exported: this prefix… */
  ANALYTICS_KAFKA_GROUP_PREFIX: z.string().default('supportstream-'),
  /** …except these (throwaway groups, e.g. a projections rebuild's). Empty: none. */
  ANALYTICS_KAFKA_GROUP_EXCLUDE: regex.default('^supportstream-rebuild-'),
  ANALYTICS_KAFKA_MAX_GROUPS: z.coerce.number().int().min(1).max(1_000).default(100),
});

export type AnalyticsEnv = z.infer<typeof analyticsEnvSchema>;

export function loadAnalyticsEnv(env: Readonly<Record<string, string | undefined>> = process.env): AnalyticsEnv {
  return parseEnv(analyticsEnvSchema, env);
}
