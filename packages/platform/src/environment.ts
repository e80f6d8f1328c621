import { parseEnv, platformEnvSchema, z } from '@supportstream/config';
import { memoryEnvSchema } from '@supportstream/memory';

/** Everything an agent service reads from its environment, parsed once, failing fast. */
export const agentServiceEnvSchema = platformEnvSchema.extend(memoryEnvSchema.shape).extend({
  /** How long a supervisor has to decide an escalated run. */
  APPROVAL_TTL_MS: z.coerce.number().int().min(1_000).default(60 * 60 * 1000),
  /** What an expired approval does. */
  APPROVAL_EXPIRY_PATH: z.enum(['handoff', 'respond_without_actions']).default('handoff'),
  /** How often the approvals service looks for expired approvals. */
  APPROVAL_EXPIRY_CHECK_MS: z.coerce.number().int().min(100).default(5_000),
  /** Kafka session timeout; heartbeats continue while a step runs, so long model calls are fine. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).default(30_000),
  /**
   * Also skip trigger events this service's group already handled, by id (Redis, one lookup per
   * batch). Off by default: steps are idempotent by construction (the checkpoint check, replay,
   * deterministic ids), so the lookup would only cost.
   */
  DEDUPE_PROCESSED_EVENTS: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** Checkpoint retention: closed conversations idle this long are compacted to their latest checkpoint. */
  CHECKPOINT_IDLE_DAYS: z.coerce.number().min(0).default(30),
  /** How often the approvals service applies the retention policy (0 turns it off). */
  CHECKPOINT_PRUNE_INTERVAL_MS: z.coerce.number().int().min(0).default(60 * 60 * 1000),
  /** Partitions handled in parallel by one replica (order is kept per partition, i.e. per conversation). */
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  /** Messages one replica handles at once across its partitions: different conversations in parallel, one conversation in order. */
  KAFKA_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(256).default(16),
});

export type AgentServiceEnv = z.infer<typeof agentServiceEnvSchema>;

export function loadAgentServiceEnv(env: Readonly<Record<string, string | undefined>> = process.env): AgentServiceEnv {
  return parseEnv(agentServiceEnvSchema, env);
}
