import type { Queryable } from '@supportstream/db';

/** Identity of one model call: the step that made it (thread, checkpoint it started from, node) and its index. */
export interface CallKey {
  readonly threadId: string;
  readonly stepKey: string;
  readonly node: string;
  readonly index: number;
}

/** Model call results kept until the step is checkpointed, so a re-run after a crash does not pay again. */
export interface StepCallCache {
  get(key: CallKey): Promise<unknown>;
  put(key: CallKey, result: unknown): Promise<void>;
}

export function inMemoryCallCache(): StepCallCache & { readonly size: () => number } {
  const entries = new Map<string, unknown>();
  const id = (key: CallKey) => JSON.stringify([key.threadId, key.stepKey, key.node, key.index]);
  return {
    get: (key) => Promise.resolve(entries.get(id(key))),
    put: (key, result) => {
      entries.set(id(key), result);
      return Promise.resolve();
    },
    size: () => entries.size,
  };
}

/** PostgreSQL adapter over `llm_call_cache` (migration 010). */
export function postgresCallCache(db: Queryable): StepCallCache {
  return {
    async get(key) {
      const result = await db.query<{ result: unknown }>(
        'SELECT result FROM llm_call_cache WHERE thread_id = $1 AND step_key = $2 AND node = $3 AND call_index = $4',
        [key.threadId, key.stepKey, key.node, key.index],
      );
      return result.rows[0]?.result;
    },
    async put(key, result) {
      await db.query(
        `INSERT INTO llm_call_cache (thread_id, step_key, node, call_index, result) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (thread_id, step_key, node, call_index) DO NOTHING`,
        [key.threadId, key.stepKey, key.node, key.index, JSON.stringify(result)],
      );
    },
  };
}
