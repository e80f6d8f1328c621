import { advisoryLockKey, quoteIdentifier, withTransaction, type Pool, type Queryable } from '@supportstream/db';
import { forgetResolutions, type SessionMemory, type VectorStore } from '@supportstream/memory';
import { CHECKPOINT_SCHEMA } from '@supportstream/pipeline';

export interface StorePurgeTarget {
  readonly tenantId: string;
  readonly customerId: string;
  /** The customer's conversation ids (found by the caller from the read model). */
  readonly conversationIds: readonly string[];
}

/** What one purge removed, per store; every count is 0 on a second run. */
export interface StorePurgeReport {
  /** Session-memory lists deleted (Redis): 0 or 1. */
  readonly sessionKeys: number;
  /** Resolution documents deleted from the vector store. */
  readonly resolutions: number;
  /** Conversations that still had LangGraph checkpoint rows. */
  readonly checkpointThreads: number;
  /** Rows deleted from `checkpoints`, `checkpoint_blobs` and `checkpoint_writes` together. */
  readonly checkpointRows: number;
  /** Cached model answers (`llm_call_cache`). */
  readonly llmCacheRows: number;
  /** Queued follow-up requests (`conversation_queue`), which hold the request with its message. */
  readonly queueRows: number;
  /** Rows of `pending_approvals`, whatever their status. */
  readonly pendingApprovals: number;
  /** Rows of `delivered_notifications` whose target was overwritten (the rows themselves stay). */
  readonly deliveredNotifications: number;
}

export interface StorePurgeDeps {
  readonly pool: Pool;
  readonly sessions: SessionMemory;
  readonly vectors: VectorStore;
  /** Collection the resolutions were remembered in (default RESOLUTIONS_COLLECTION). */
  readonly resolutionsCollection?: string;
  /** Schema of the checkpoint tables (default CHECKPOINT_SCHEMA, as `createCheckpointer`). */
  readonly checkpointSchema?: string;
  /** How long to wait for a step holding a conversation's lock (default 30 s); then a retriable DB_LOCK_TIMEOUT. */
  readonly lockTimeoutMs?: number;
}

/** What a delivered notification's target reads after an erasure. */
export const ERASED_TARGET = '[erased]';

type SqlCounts = Omit<StorePurgeReport, 'sessionKeys' | 'resolutions'>;

const NOTHING: SqlCounts = {
  checkpointThreads: 0,
  checkpointRows: 0,
  llmCacheRows: 0,
  queueRows: 0,
  pendingApprovals: 0,
  deliveredNotifications: 0,
};

/**
 * Erasure by crypto-shredding leaves plaintext wherever the pipeline kept a working copy outside
 * the event log: this removes the customer's copies from every store but the read model (its own
 * purge) and the data keys (deleted by the caller). PostgreSQL first, in one transaction, then the
 * vector store, then session memory. Idempotent: a failed run is simply run again. The Redis
 * conversation cache is a copy of the read model: the caller invalidates it with that purge.
 */
export async function purgeCustomerStores(
  deps: StorePurgeDeps,
  target: StorePurgeTarget,
): Promise<StorePurgeReport> {
  const conversationIds = checkedTarget(target);
  const sql = conversationIds.length === 0 ? NOTHING : await purgeConversationRows(deps, conversationIds);
  const resolutions = await forgetResolutions(deps.vectors, {
    tenantId: target.tenantId,
    customerId: target.customerId,
    conversationIds,
    collection: deps.resolutionsCollection,
  });
  const sessionKeys = await deps.sessions.forget(target.tenantId, target.customerId);
  return { sessionKeys, resolutions, ...sql };
}

/** The distinct conversation ids; blank ids are a caller's bug, never "every conversation". */
function checkedTarget(target: StorePurgeTarget): string[] {
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
  if (blank(target.tenantId) || blank(target.customerId)) {
    throw new TypeError('purge target: tenantId and customerId must be non-empty strings');
  }
  if (target.conversationIds.some(blank)) {
    throw new TypeError('purge target: conversationIds must be non-empty strings');
  }
  return [...new Set(target.conversationIds)];
}

/**
 * Everything PostgreSQL keeps by conversation, in one transaction that first takes each
 * conversation's step lock (`thread:<conversationId>`, as the step runner does), so a step in
 * flight ends before its thread is deleted and none starts on a half-purged one.
 */
async function purgeConversationRows(deps: StorePurgeDeps, conversationIds: readonly string[]): Promise<SqlCounts> {
  const schema = quoteIdentifier(deps.checkpointSchema ?? CHECKPOINT_SCHEMA);
  return withTransaction(deps.pool, async (client) => {
    await lockThreads(client, conversationIds, deps.lockTimeoutMs ?? 30_000);
    const ids = [conversationIds];
    const checkpoints = await client.query<{ threads: number; rows: number }>(
      `WITH c AS (DELETE FROM ${schema}.checkpoints WHERE thread_id = ANY($1::text[]) RETURNING thread_id),
            b AS (DELETE FROM ${schema}.checkpoint_blobs WHERE thread_id = ANY($1::text[]) RETURNING thread_id),
            w AS (DELETE FROM ${schema}.checkpoint_writes WHERE thread_id = ANY($1::text[]) RETURNING thread_id),
            t AS (SELECT thread_id FROM c UNION ALL SELECT thread_id FROM b UNION ALL SELECT thread_id FROM w)
       SELECT count(DISTINCT thread_id)::int AS threads, count(*)::int AS rows FROM t`,
      ids,
    );
    const changed = async (text: string, values: unknown[] = ids) => (await client.query(text, values)).rowCount ?? 0;
    return {
      checkpointThreads: checkpoints.rows[0]?.threads ?? 0,
      checkpointRows: checkpoints.rows[0]?.rows ?? 0,
      llmCacheRows: await changed('DELETE FROM llm_call_cache WHERE thread_id = ANY($1::text[])'),
      queueRows: await changed('DELETE FROM conversation_queue WHERE conversation_id = ANY($1::text[])'),
      // The caller refuses an erasure while a conversation is in flight unless forced; forced, a
      // pending approval goes too: its thread is gone, nothing is left to decide or expire.
      pendingApprovals: await changed('DELETE FROM pending_approvals WHERE conversation_id = ANY($1::text[])'),
      // The row stays: it is the dedupe record that keeps a redelivered event from being sent twice.
      deliveredNotifications: await changed(
        'UPDATE delivered_notifications SET target = $2 WHERE conversation_id = ANY($1::text[]) AND target <> $2',
        [conversationIds, ERASED_TARGET],
      ),
    };
  });
}

/** Taken in key order by every caller, so two purges of overlapping conversations cannot deadlock. */
async function lockThreads(client: Queryable, conversationIds: readonly string[], timeoutMs: number): Promise<void> {
  const keys = conversationIds.map((id) => advisoryLockKey(`thread:${id}`).toString());
  await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.trunc(timeoutMs))}ms`]);
  await client.query(
    'SELECT pg_advisory_xact_lock(k) FROM (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS sorted',
    [keys],
  );
}
