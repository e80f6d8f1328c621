import { advisoryLockKey, quoteIdentifier, withTransaction, type Pool, type Queryable } from '@supportstream/db';
import { isRetriable } from '@supportstream/errors';
import pRetry from 'p-retry';
import type { ProjectedEvent } from './projections/projection.js';
import { readModelRecord } from './masking.js';
import { writeBatch } from './store.js';
import { toConversationView, type ConversationView } from './views.js';

export type { ProjectedEvent };

/** One partition's messages, in offset order; `lastOffset` also covers messages that could not be decoded. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ProjectedEvent[];
  readonly lastOffset: string;
}

export interface ApplyResult {
  /** Events that changed the read model. */
  readonly applied: number;
  /** Events whose id was already projected (a re-emitted step event, a copy at another offset). */
  readonly duplicates: number;
  /** Messages below the stored offset (redelivered after a crash or a rebalance): skipped whole. */
  readonly alreadyProjected: number;
  /** Conversations changed, for the cache and live subscribers. */
  readonly conversations: readonly { readonly conversationId: string; readonly tenantId: string }[];
  /** The changed conversations as committed (from the write's `RETURNING`): the cache stores these, no re-read. */
  readonly views: readonly ConversationView[];
}

export interface ProjectorOptions {
  readonly pool: Pool;
  readonly schema: string;
  /** PostgreSQL NOTIFY channel told (on commit) which conversations changed; the gateway's live streams listen. */
  readonly notifyChannel?: string;
  /**
   * `false`: commit without waiting for the WAL flush (synchronous_commit = off). Only for a
   * rebuild into a fresh schema that nobody reads yet: a crash loses the last few batches and their
   * offsets together (PostgreSQL never loses one without the other), and they are replayed.
   */
  readonly durableCommits?: boolean;
}

export interface Projector {
  readonly schema: string;
  apply(batch: PartitionBatch): Promise<ApplyResult>;
  /** Stored next offsets, `topic:partition` → offset. */
  offsets(): Promise<Map<string, bigint>>;
}

/** A read model's stored next offsets, `topic:partition` → offset (on a pool, or a client inside a snapshot). */
export async function storedOffsets(db: Queryable, schema: string): Promise<Map<string, bigint>> {
  const result = await db.query<{ topic: string; partition: number; next_offset: string }>(`SELECT topic, partition, next_offset FROM ${quoteIdentifier(schema)}.offsets`);
  return new Map(result.rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]));
}

export const CONVERSATION_CHANGES_CHANNEL = 'supportstream_conversation_changes';
/** NOTIFY payloads are limited to 8000 bytes; conversation lists are sent in chunks well below it. */
const NOTIFY_CHUNK = 60;

/**
 * The projector: one transaction per partition batch holds the read-model change AND the next
 * offset, so a crash anywhere leaves both as they were. A redelivered message is below the stored
 * offset and skipped; an event id seen before (a replayed step) changes nothing. Deadlocks and
 * serialization failures are retried with the whole batch.
 */
export function createProjector(options: ProjectorOptions): Projector {
  const schema = quoteIdentifier(options.schema);

  async function applyOnce(batch: PartitionBatch): Promise<ApplyResult> {
    return withTransaction(options.pool, async (client) => {
      await client.query(options.durableCommits === false ? `SET LOCAL search_path TO ${schema}; SET LOCAL synchronous_commit TO off` : `SET LOCAL search_path TO ${schema}`);
      const stored = await client.query<{ next_offset: string }>('SELECT next_offset FROM offsets WHERE topic = $1 AND partition = $2 FOR UPDATE', [batch.topic, batch.partition]);
      const next = BigInt(stored.rows[0]?.next_offset ?? '0');
      const pending = batch.records.filter((record) => BigInt(record.offset) >= next).map(readModelRecord);
      const alreadyProjected = batch.records.length - pending.length;
      if (BigInt(batch.lastOffset) < next) return { applied: 0, duplicates: 0, alreadyProjected, conversations: [], views: [] };

      // A conversation's events come from several topics, so from several transactions at once.
      // Holding its lock from before the events get their stream positions (seq) until commit
      // makes seq order the commit order within a conversation: a live stream that has sent seq
      // N never gets an event below N later. Sorted, so two transactions never wait on each other in a cycle.
      const ids = new Set(pending.map((record) => record.event.metadata.conversationId));
      const locks = [...ids].map((id) => advisoryLockKey(`read-model:${options.schema}:${id}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      await client.query('SELECT pg_advisory_xact_lock(key) FROM (SELECT unnest($1::bigint[]) AS key ORDER BY 1) AS sorted', [locks.map(String)]);
      const written = await writeBatch(client, pending);
      await client.query(
        `INSERT INTO offsets (topic, partition, next_offset) VALUES ($1, $2, $3)
         ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
        [batch.topic, batch.partition, (BigInt(batch.lastOffset) + 1n).toString()],
      );
      const conversations = written.conversations.map((row) => ({ conversationId: row.conversation_id, tenantId: row.tenant_id }));
      if (options.notifyChannel !== undefined) {
        for (let index = 0; index < conversations.length; index += NOTIFY_CHUNK) {
          const chunk = conversations.slice(index, index + NOTIFY_CHUNK).map((row) => row.conversationId);
          await client.query('SELECT pg_notify($1, $2)', [options.notifyChannel, JSON.stringify(chunk)]);
        }
      }
      const fresh = written.fresh.length;
      return { applied: fresh, duplicates: pending.length - fresh, alreadyProjected, conversations, views: written.conversations.map(toConversationView) };
    });
  }

  return {
    schema: options.schema,
    apply: (batch) =>
      pRetry(() => applyOnce(batch), {
        retries: 5,
        minTimeout: 50,
        maxTimeout: 2_000,
        randomize: true,
        shouldRetry: ({ error }) => isRetriable(error),
      }),
    offsets: () => storedOffsets(options.pool, options.schema),
  };
}
