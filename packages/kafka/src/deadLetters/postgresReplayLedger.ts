import { PlatformError, TransientError } from '@supportstream/errors';
import { positionKey, type DeadLetterPosition } from './deadLetterRecord.js';
import { isDone, type ReplayCompletion, type ReplayEntry, type ReplayIntent, type ReplayLedger } from './replayLedger.js';

/** The calls of a PostgreSQL client the ledger needs; a `pg` Pool or client fits, so this package needs no driver. */
export interface SqlQueryable {
  query(text: string, values?: unknown[]): Promise<{ readonly rows: unknown[] }>;
}

/** A `pg` Pool, as far as the ledger uses it. */
export interface SqlPool extends SqlQueryable {
  connect(): Promise<SqlQueryable & { release(error?: Error | boolean): void }>;
}

export interface PostgresReplayLedgerOptions {
  /** A pool whose search_path holds dead_letter_replays (migration 015). */
  readonly pool: SqlPool;
  /** How long a replay waits for another replay of the same record to finish (default 30 s). */
  readonly lockTimeoutMs?: number;
}

/** Raised when another replay of the same record holds it longer than the lock timeout. */
export class ReplayInProgressError extends PlatformError {
  constructor(position: DeadLetterPosition, cause: unknown) {
    super('REPLAY_IN_PROGRESS', `another replay of ${position.topic}[${position.partition}]@${position.offset} is still running; retry shortly`, { retriable: true, cause });
  }
}

interface Row {
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string;
  replay_id: string;
  original_topic: string;
  original_partition: number | null;
  original_offset: string | null;
  tenant_id: string | null;
  error_code: string | null;
  status: 'pending' | 'done';
  requested_by: string;
  requested_at: Date;
  replayed_by: string | null;
  replayed_at: Date | null;
  replayed_to_partition: number | null;
  replayed_to_offset: string | null;
  event_id: string | null;
}

const COLUMNS = `dlq_topic, dlq_partition, dlq_offset::text AS dlq_offset, replay_id, original_topic, original_partition, original_offset::text AS original_offset,
  tenant_id, error_code, status, requested_by, requested_at, replayed_by, replayed_at, replayed_to_partition, replayed_to_offset::text AS replayed_to_offset, event_id`;

function toEntry(row: Row): ReplayEntry {
  const completion: ReplayCompletion | null =
    row.status === 'done' && row.replayed_at !== null && row.replayed_to_partition !== null && row.replayed_to_offset !== null
      ? { replayedBy: row.replayed_by ?? row.requested_by, replayedAt: row.replayed_at, replayedToPartition: row.replayed_to_partition, replayedToOffset: row.replayed_to_offset, eventId: row.event_id ?? '' }
      : null;
  return {
    position: { topic: row.dlq_topic, partition: row.dlq_partition, offset: row.dlq_offset },
    replayId: row.replay_id,
    originalTopic: row.original_topic,
    originalPartition: row.original_partition,
    originalOffset: row.original_offset,
    tenantId: row.tenant_id,
    errorCode: row.error_code,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    status: row.status,
    completion,
  };
}

const LOCK_NOT_AVAILABLE = '55P03';
const isLockTimeout = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === LOCK_NOT_AVAILABLE;

/**
 * The ledger in PostgreSQL. The intent is committed on its own first (INSERT … ON CONFLICT DO
 * NOTHING: the unique position decides who recorded it); then one transaction locks the row
 * (SELECT … FOR UPDATE, so a concurrent replay waits), reads whether it is done, runs the replay
 * and marks the row done. A crash or failure in that transaction rolls back only the mark: the
 * intent stays pending and the next call completes it.
 */
export function postgresReplayLedger(options: PostgresReplayLedgerOptions): ReplayLedger {
  const { pool } = options;
  const lockTimeoutMs = Math.max(1, Math.round(options.lockTimeoutMs ?? 30_000));

  async function recordIntent(intent: ReplayIntent): Promise<boolean> {
    const { position } = intent;
    const result = await pool.query(
      `INSERT INTO dead_letter_replays (dlq_topic, dlq_partition, dlq_offset, replay_id, original_topic, original_partition, original_offset, tenant_id, error_code, requested_by, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO NOTHING
       RETURNING replay_id`,
      [position.topic, position.partition, position.offset, intent.replayId, intent.originalTopic, intent.originalPartition, intent.originalOffset, intent.tenantId, intent.errorCode, intent.requestedBy, intent.requestedAt],
    );
    return result.rows.length === 1;
  }

  return {
    async find(positions) {
      const found = new Map<string, ReplayEntry>();
      if (positions.length === 0) return found;
      const result = await pool.query(
        `SELECT ${COLUMNS} FROM dead_letter_replays
         WHERE (dlq_topic, dlq_partition, dlq_offset) IN (SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[]))`,
        [positions.map((position) => position.topic), positions.map((position) => position.partition), positions.map((position) => position.offset)],
      );
      for (const row of result.rows as Row[]) {
        const entry = toEntry(row);
        found.set(positionKey(entry.position), entry);
      }
      return found;
    },

    async replayOnce(intent, replay) {
      const recorded = await recordIntent(intent);
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
          const { position } = intent;
          let locked: { rows: unknown[] };
          try {
            locked = await client.query(`SELECT ${COLUMNS} FROM dead_letter_replays WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3 FOR UPDATE`, [position.topic, position.partition, position.offset]);
          } catch (error) {
            throw isLockTimeout(error) ? new ReplayInProgressError(position, error) : error;
          }
          const row = locked.rows[0] as Row | undefined;
          if (row === undefined) throw new TransientError('REPLAY_INTENT_LOST', `the replay intent of ${position.topic}[${position.partition}]@${position.offset} disappeared; retry`);
          const entry = toEntry(row);
          if (isDone(entry)) {
            await client.query('COMMIT');
            return { status: 'already_replayed', entry, resumed: false };
          }
          const completion = await replay(entry);
          const updated = await client.query(
            `UPDATE dead_letter_replays
             SET status = 'done', replayed_by = $4, replayed_at = $5, replayed_to_partition = $6, replayed_to_offset = $7, event_id = $8
             WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3
             RETURNING ${COLUMNS}`,
            [position.topic, position.partition, position.offset, completion.replayedBy, completion.replayedAt, completion.replayedToPartition, completion.replayedToOffset, completion.eventId],
          );
          await client.query('COMMIT');
          const done = toEntry(updated.rows[0] as Row);
          if (!isDone(done)) throw new PlatformError('REPLAY_NOT_MARKED', `the replay of ${positionKey(position)} was not marked done`);
          return { status: 'replayed', entry: done, resumed: !recorded };
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },
  };
}
