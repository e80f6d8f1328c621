import { quoteIdentifier } from '@supportstream/db';
import { readThread, type SupportGraph } from '@supportstream/graph';
import type pg from 'pg';
import { CHECKPOINT_SCHEMA } from './checkpointer.js';

export interface PruneOptions {
  /** Threads whose last checkpoint is older than this and whose run has ended are compacted. */
  readonly idleDays: number;
  /** Cached model answers older than this are deleted (their steps were checkpointed long ago). */
  readonly callCacheDays?: number;
  readonly schema?: string;
  /** At most this many threads per pass, so one pass stays short. */
  readonly batchSize?: number;
  readonly now?: () => Date;
}

export interface PruneReport {
  readonly threads: number;
  readonly checkpoints: number;
  readonly writes: number;
  readonly blobs: number;
  readonly cachedCalls: number;
}

/**
 * The checkpoint retention policy. LangGraph's PostgreSQL saver keeps every checkpoint of every
 * thread forever; the audit trail, however, is the Kafka log, not the checkpoints. So a thread
 * that is closed (its run ended: nothing is next) and idle for `idleDays` is compacted to its
 * latest checkpoint: earlier checkpoints, their pending writes and every channel blob the latest
 * one does not reference are deleted. The conversation keeps its messages and can take a
 * follow-up; only time travel to its older checkpoints is gone.
 */
export async function pruneCheckpoints(graph: SupportGraph, pool: pg.Pool, options: PruneOptions): Promise<PruneReport> {
  const schema = quoteIdentifier(options.schema ?? CHECKPOINT_SCHEMA);
  const now = options.now?.() ?? new Date();
  const cutoff = new Date(now.getTime() - options.idleDays * 86_400_000);
  const candidates = await pool.query<{ thread_id: string; checkpoint_id: string }>(
    `SELECT thread_id, checkpoint_id FROM (
       SELECT DISTINCT ON (thread_id) thread_id, checkpoint_id, (checkpoint->>'ts')::timestamptz AS written_at,
              (SELECT count(*) FROM ${schema}.checkpoints c2 WHERE c2.thread_id = c.thread_id AND c2.checkpoint_ns = '') AS total
       FROM ${schema}.checkpoints c WHERE checkpoint_ns = ''
       ORDER BY thread_id, checkpoint_id DESC
     ) latest
     WHERE written_at < $1 AND total > 1
     LIMIT $2`,
    [cutoff, options.batchSize ?? 500],
  );
  let threads = 0;
  let checkpoints = 0;
  let writes = 0;
  let blobs = 0;
  for (const candidate of candidates.rows) {
    const snapshot = await readThread(graph, candidate.thread_id);
    // Only closed threads: a run in flight or waiting for approval needs its history for replays.
    if (snapshot.next.length > 0 || snapshot.checkpointId !== candidate.checkpoint_id) continue;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const args = [candidate.thread_id, candidate.checkpoint_id];
      blobs += (
        await client.query(
          `DELETE FROM ${schema}.checkpoint_blobs b
           WHERE b.thread_id = $1 AND b.checkpoint_ns = ''
             AND NOT EXISTS (
               SELECT 1 FROM ${schema}.checkpoints c, jsonb_each_text(c.checkpoint->'channel_versions') AS v(channel, version)
               WHERE c.thread_id = $1 AND c.checkpoint_ns = '' AND c.checkpoint_id = $2 AND v.channel = b.channel AND v.version = b.version)`,
          args,
        )
      ).rowCount ?? 0;
      writes += (await client.query(`DELETE FROM ${schema}.checkpoint_writes WHERE thread_id = $1 AND checkpoint_id <> $2`, args)).rowCount ?? 0;
      checkpoints += (await client.query(`DELETE FROM ${schema}.checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' AND checkpoint_id <> $2`, args)).rowCount ?? 0;
      await client.query('COMMIT');
      threads += 1;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
  const cacheCutoff = new Date(now.getTime() - (options.callCacheDays ?? options.idleDays) * 86_400_000);
  const cachedCalls = (await pool.query('DELETE FROM llm_call_cache WHERE created_at < $1', [cacheCutoff])).rowCount ?? 0;
  return { threads, checkpoints, writes, blobs, cachedCalls };
}
