import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';

export const CHECKPOINT_SCHEMA = 'langgraph';

/** LangGraph's PostgreSQL checkpointer in its own schema; `setup()` creates or upgrades its tables. */
export async function createCheckpointer(pool: pg.Pool, schema = CHECKPOINT_SCHEMA): Promise<PostgresSaver> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
  const saver = new PostgresSaver(pool, undefined, { schema });
  await saver.setup();
  return saver;
}
