import { InvalidInputError } from '@supportstream/errors';
import { z } from 'zod';

/** One thing a customer said or was told, kept for a while so the next conversation has context. */
export interface Interaction {
  /** ISO-8601 timestamp. */
  readonly at: string;
  readonly conversationId: string;
  readonly role: 'customer' | 'agent';
  /** Truncated to `maxTextChars` on append. */
  readonly text: string;
  readonly summary?: string;
}

/**
 * Tier 2 of memory: a customer's recent interactions across conversations, read by triage and
 * solution. Bounded in length and forgotten after a TTL that every append refreshes. A hint for
 * the agents, not a record: the Kafka log remains the source of truth.
 */
export interface SessionMemory {
  /** Newest first, at most `limit` (and never more than the configured bound). */
  recent(tenantId: string, customerId: string, limit: number): Promise<Interaction[]>;
  /** Appends in order (the last one becomes the newest), in one write. */
  append(tenantId: string, customerId: string, ...interactions: readonly Interaction[]): Promise<void>;
  /**
   * Erasure request: drops the customer's memory at once rather than at its TTL. Resolves to the
   * number of stored sessions removed (0 or 1); forgetting an unknown or expired customer is 0.
   */
  forget(tenantId: string, customerId: string): Promise<number>;
}

export interface SessionMemoryLimits {
  /** Interactions kept per customer (default 50). */
  readonly maxInteractions?: number;
  /** Seconds since the last append after which a customer's memory is forgotten (default 30 days). */
  readonly ttlSeconds?: number;
  /** Longer texts are cut, with an ellipsis (default 2000 characters). */
  readonly maxTextChars?: number;
  /** Longer summaries are cut (default 500 characters). */
  readonly maxSummaryChars?: number;
}

export type ResolvedLimits = Required<SessionMemoryLimits>;

export function resolveLimits(limits: SessionMemoryLimits): ResolvedLimits {
  const resolved = {
    maxInteractions: limits.maxInteractions ?? 50,
    ttlSeconds: limits.ttlSeconds ?? 30 * 24 * 3600,
    maxTextChars: limits.maxTextChars ?? 2000,
    maxSummaryChars: limits.maxSummaryChars ?? 500,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) throw new InvalidInputError('SESSION_MEMORY_CONFIG_INVALID', `${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}

export const interactionSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  conversationId: z.string().min(1),
  role: z.enum(['customer', 'agent']),
  text: z.string(),
  summary: z.string().optional(),
});

/** Validates an interaction and applies the bounds; the stored form of every adapter. */
export function boundedInteraction(interaction: Interaction, limits: ResolvedLimits): Interaction {
  const parsed = interactionSchema.safeParse(interaction);
  if (!parsed.success) {
    throw new InvalidInputError('SESSION_INTERACTION_INVALID', `invalid interaction: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const { at, conversationId, role, text, summary } = parsed.data;
  return {
    at,
    conversationId,
    role,
    text: truncate(text, limits.maxTextChars),
    ...(summary === undefined ? {} : { summary: truncate(summary, limits.maxSummaryChars) }),
  };
}

/** Reads back a stored interaction; anything malformed (an older format, a stray write) is skipped. */
export function parseStoredInteraction(raw: string): Interaction | undefined {
  try {
    const parsed = interactionSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return undefined;
    const { summary, ...rest } = parsed.data;
    return summary === undefined ? rest : { ...rest, summary };
  } catch {
    return undefined;
  }
}

/** Cuts at a code point boundary (never half an emoji) and marks the cut with an ellipsis. */
export function truncate(text: string, maxChars: number): string {
  const points = [...text];
  if (points.length <= maxChars) return text;
  return `${points.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

export function checkCustomer(tenantId: string, customerId: string): void {
  if (typeof tenantId !== 'string' || tenantId.length === 0 || typeof customerId !== 'string' || customerId.length === 0) {
    throw new InvalidInputError('SESSION_CUSTOMER_INVALID', 'tenantId and customerId must be non-empty strings');
  }
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidInputError('SESSION_LIMIT_INVALID', `limit must be an integer ≥ 0, got ${limit}`);
}
