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
   * Skip trigger events this service's group already handled (Redis). An optimisation only: steps
   * are idempotent by construction (checkpoint replay, deterministic ids); the crash test turns it
   * off to prove that.
   */
  DEDUPE_PROCESSED_EVENTS: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** Checkpoint retention: closed conversations idle this long are compacted to their latest checkpoint. */
  CHECKPOINT_IDLE_DAYS: z.coerce.number().min(0).default(30),
  /** How often the approvals service applies the retention policy (0 turns it off). */
  CHECKPOINT_PRUNE_INTERVAL_MS: z.coerce.number().int().min(0).default(60 * 60 * 1000),
  /** Crash test only: probability of killing the process after a checkpoint, before producing. */
  FAULT_CRASH_AFTER_CHECKPOINT: z.coerce.number().min(0).max(1).default(0),
  /** Crash test only: probability of killing the process after producing, before committing. */
  FAULT_CRASH_AFTER_PUBLISH: z.coerce.number().min(0).max(1).default(0),
  /** Partitions handled in parallel by one replica (order is kept per partition, i.e. per conversation). */
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
});

export type AgentServiceEnv = z.infer<typeof agentServiceEnvSchema>;

export function loadAgentServiceEnv(env: Readonly<Record<string, string | undefined>> = process.env): AgentServiceEnv {
  return parseEnv(agentServiceEnvSchema, env);
}
