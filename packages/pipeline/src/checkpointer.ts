import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import { BatchedPostgresSaver } from './checkpoint/batchedPostgresSaver.js';

export const CHECKPOINT_SCHEMA = 'langgraph';

async function ready<S extends PostgresSaver>(pool: pg.Pool, schema: string, saver: S): Promise<S> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
  await saver.setup();
  return saver;
}

/**
 * The pipeline's checkpointer: LangGraph's PostgreSQL saver in its own schema, with a step's blobs
 * and writes batched into one statement each (same tables and reads as the official saver).
 * `setup()` creates or upgrades its tables.
 */
export async function createCheckpointer(pool: pg.Pool, schema = CHECKPOINT_SCHEMA): Promise<BatchedPostgresSaver> {
  return ready(pool, schema, new BatchedPostgresSaver(pool, undefined, { schema }));
}

/** The unmodified official saver on the same tables: for comparisons and benchmarks. */
export async function createOfficialCheckpointer(pool: pg.Pool, schema = CHECKPOINT_SCHEMA): Promise<PostgresSaver> {
  return ready(pool, schema, new PostgresSaver(pool, undefined, { schema }));
}
