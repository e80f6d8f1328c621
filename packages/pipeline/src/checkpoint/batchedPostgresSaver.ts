import { AsyncLocalStorage } from 'node:async_hooks';
import type { RunnableConfig } from '@langchain/core/runnables';
import { WRITES_IDX_MAP, type ChannelVersions, type Checkpoint, type CheckpointMetadata, type CheckpointTuple, type PendingWrite } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type { Queryable } from '@supportstream/db';
import type pg from 'pg';
import {
  BLOB_ROW_PARAMS,
  chunked,
  checkpointTables,
  deleteThreadSql,
  insertBlobsSql,
  MAX_BIND_PARAMETERS,
  putCheckpointSql,
  putWritesSql,
  upsertCheckpointSql,
  WRITE_ROW_PARAMS,
  type CheckpointTables,
} from './batchedSql.js';
import { ScopeMemo, type CheckpointRow } from './scopeMemo.js';

type SaverArgs = ConstructorParameters<typeof PostgresSaver>;

interface Scope {
  readonly client: pg.ClientBase;
  readonly memo: ScopeMemo | undefined;
}

export interface RunOnOptions {
  /**
   * Serve the latest checkpoint of a thread that this scope has already read or written without a
   * round trip (see scopeMemo.ts for exactly when that is valid). Only for a scope that holds the
   * thread's lock, in one transaction, and does not write checkpoint rows by any other way.
   * A `ScopeMemo` instance carries one memo over several `runOn` calls on the same client, under
   * the same lock and transaction.
   */
  readonly memo?: boolean | ScopeMemo;
}

type Configurable = { thread_id?: string; checkpoint_ns?: string; checkpoint_id?: string };

/** The official getTuple's clause for "latest checkpoint of a thread". */
const LATEST_WHERE = 'WHERE thread_id = $1 AND checkpoint_ns = $2 ORDER BY checkpoint_id DESC LIMIT 1';

/** A query's result; an error inside a memo scope drops the memo (the transaction is failed anyway). */
async function settled<T>(sent: Promise<T>, memo: ScopeMemo | undefined): Promise<T> {
  try {
    return await sent;
  } catch (error) {
    memo?.clear();
    throw error;
  }
}

interface PutResultRow {
  readonly inserted: boolean;
  readonly blobs_inserted: number;
}

/**
 * The pool the official saver is given: `query` goes to the scoped client while `runOn` runs, so
 * the inherited reads (getTuple, list and their pending-sends migration) follow the caller's
 * transaction. `connect` stays on the pool: only `setup` still uses it, and migrations run apart.
 */
function scopedPool(pool: pg.Pool, scope: AsyncLocalStorage<Scope>): pg.Pool {
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'query') {
        return (...args: unknown[]) => {
          const receiver: pg.ClientBase | pg.Pool = scope.getStore()?.client ?? target;
          return (receiver.query as (...a: unknown[]) => unknown).apply(receiver, args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * LangGraph's PostgresSaver with the same tables, migrations and reads, whose writes are batched:
 * a `put` is ONE statement (changed blobs in a data-modifying CTE, then the checkpoint row), a
 * `putWrites` is ONE multi-row statement, `deleteThread` is one statement. Each is its own implicit
 * transaction, so nothing needs BEGIN/COMMIT round trips and each stays atomic. Only a step larger
 * than the 65,535 bind parameters of one statement is split, inside a transaction.
 *
 * `runOn(client, fn)` makes every query the saver issues while `fn` runs (reads included) go to
 * `client`, inside whatever transaction the caller holds there; the saver then never opens or ends
 * a transaction itself.
 */
export class BatchedPostgresSaver extends PostgresSaver {
  private readonly basePool: pg.Pool;
  private readonly scope: AsyncLocalStorage<Scope>;
  private readonly tables: CheckpointTables;

  constructor(pool: SaverArgs[0], serde?: SaverArgs[1], options?: SaverArgs[2]) {
    const scope = new AsyncLocalStorage<Scope>();
    super(scopedPool(pool, scope), serde, options);
    this.basePool = pool;
    this.scope = scope;
    // The same default as the official saver's _ensureCompleteOptions.
    this.tables = checkpointTables(options?.schema ?? 'public');
  }

  /**
   * Runs `fn` with every query of this saver sent to `client` (in the caller's transaction, if
   * any). `fn` must await all the saver work it starts (graph.invoke does): a query started in
   * this async context after the caller released `client` would still be sent to it.
   */
  runOn<T>(client: pg.ClientBase, fn: () => Promise<T>, options: RunOnOptions = {}): Promise<T> {
    const memo = options.memo === true ? new ScopeMemo() : options.memo || undefined;
    return this.scope.run({ client, memo }, fn);
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const memo = this.scope.getStore()?.memo;
    if (!memo) return super.getTuple(config);
    const { thread_id, checkpoint_ns = '', checkpoint_id } = (config.configurable ?? {}) as Configurable;
    const threadId = thread_id as string;
    const known = memo.lookup(threadId, checkpoint_ns, checkpoint_id || undefined);
    if (known === null) return undefined;
    if (known) return this.tupleOf(known, threadId, checkpoint_ns);
    if (checkpoint_id) return settled(super.getTuple(config), memo);
    // The official read of the latest checkpoint, keeping the raw row for the memo.
    const generation = memo.generation(threadId);
    const sent = this.queryable().query<CheckpointRow>(this.selectSql() + LATEST_WHERE, [threadId, checkpoint_ns]);
    const [row] = (await settled(sent, memo)).rows;
    memo.recordRead(threadId, checkpoint_ns, generation, row);
    if (row === undefined) return undefined;
    // A legacy checkpoint needs its pending sends migrated: the official path does that.
    if ((row.checkpoint.v ?? 0) < 4 && row.parent_checkpoint_id != null) return settled(super.getTuple(config), memo);
    return this.tupleOf(row, threadId, checkpoint_ns);
  }

  /** What the official getTuple builds from a row (same loaders, same shape). */
  private async tupleOf(row: CheckpointRow, thread_id: string, checkpoint_ns: string): Promise<CheckpointTuple> {
    const parentConfig = row.parent_checkpoint_id ? { configurable: { thread_id, checkpoint_ns, checkpoint_id: row.parent_checkpoint_id } } : undefined;
    return {
      config: { configurable: { thread_id, checkpoint_ns, checkpoint_id: row.checkpoint_id } },
      checkpoint: await this._loadCheckpoint(row.checkpoint as unknown as Checkpoint, (row.channel_values ?? []) as [Uint8Array, Uint8Array, Uint8Array][]),
      metadata: (await this._loadMetadata(row.metadata)) as CheckpointMetadata,
      parentConfig,
      pendingWrites: await this._loadWrites(row.pending_writes ?? []),
    };
  }

  /** The official SELECT_SQL (a private field of the base class): the memo's read is the same read. */
  private selectSql(): string {
    const sql = (this as unknown as { SQL_STATEMENTS?: { SELECT_SQL?: unknown } }).SQL_STATEMENTS?.SELECT_SQL;
    if (typeof sql !== 'string') throw new Error('PostgresSaver has no SQL_STATEMENTS.SELECT_SQL: the batched saver needs updating for this version');
    return sql;
  }

  /** The scoped client inside `runOn`, else the pool. */
  protected queryable(): Queryable {
    return this.scope.getStore()?.client ?? this.basePool;
  }

  /** Runs several statements atomically: in the caller's transaction inside `runOn`, else in one of ours. */
  protected async atomically<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const scoped = this.scope.getStore()?.client;
    if (scoped) return fn(scoped);
    const client = await this.basePool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error(`Missing "configurable" field in "config" param`);
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable as Configurable;
    const nextConfig = { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
    const serializedCheckpoint = this._dumpCheckpoint(checkpoint);
    const [dumped, serializedMetadata] = await Promise.all([
      this._dumpBlobs(thread_id as string, checkpoint_ns, checkpoint.channel_values, newVersions),
      this._dumpMetadata(metadata) as Promise<unknown>,
    ]);
    // A channel version without a value (a trigger consumed, a cleared channel) is written by the
    // official saver as an "empty" row, which every read then drops; a missing row reads the same
    // (the reads join blobs on the checkpoint's channel versions), so none is written.
    const blobs = dumped.filter(([, , , , type]) => type !== 'empty');
    const head = [thread_id, checkpoint_ns, checkpoint.id, checkpoint_id, serializedCheckpoint, serializedMetadata];
    const blobParams = (rows: typeof blobs) => rows.flatMap(([, , channel, version, type, blob]) => [channel, version, type, blob]);
    const memo = this.scope.getStore()?.memo;
    if (head.length + BLOB_ROW_PARAMS * blobs.length <= MAX_BIND_PARAMETERS) {
      const sent = this.queryable().query<PutResultRow>(putCheckpointSql(this.tables, blobs.length), [...head, ...blobParams(blobs)]);
      // Right after sending (no await in between), so the memo follows the client's statement order.
      const check = memo?.putSent({
        threadId: thread_id as string,
        ns: checkpoint_ns,
        checkpointId: checkpoint.id,
        parentId: checkpoint_id ?? null,
        checkpoint: serializedCheckpoint,
        metadata: serializedMetadata,
        blobs: dumped.map(([, , channel, version, type, blob]) => [channel, version, type, blob] as const),
      });
      const result = await settled(sent, memo);
      check?.(result.rows[0]);
    } else {
      memo?.forgetThread(thread_id as string);
      await this.atomically(async (q) => {
        for (const rows of chunked(blobs, BLOB_ROW_PARAMS, 2)) {
          await q.query(insertBlobsSql(this.tables, rows.length), [thread_id, checkpoint_ns, ...blobParams(rows)]);
        }
        await q.query<PutResultRow>(upsertCheckpointSql(this.tables), head);
      });
    }
    return nextConfig;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (writes.length === 0) return;
    const { thread_id, checkpoint_ns, checkpoint_id } = (config.configurable ?? {}) as Configurable;
    // The official saver's rule: a batch made only of special channels replaces what is stored.
    const upsert = writes.every((w) => w[0] in WRITES_IDX_MAP);
    const dumped = await this._dumpWrites(thread_id as string, checkpoint_ns as string, checkpoint_id as string, taskId, writes);
    const rows = oneRowPerIdx(dumped, upsert);
    const params = (chunk: typeof rows) => chunk.flatMap(([, , , , idx, channel, type, blob]) => [idx, channel, type, blob]);
    const shared = [thread_id, checkpoint_ns, checkpoint_id, taskId];
    const memo = this.scope.getStore()?.memo;
    if (shared.length + WRITE_ROW_PARAMS * rows.length <= MAX_BIND_PARAMETERS) {
      const sent = this.queryable().query(putWritesSql(this.tables, rows.length, upsert), [...shared, ...params(rows)]);
      const check = memo?.writesSent({
        threadId: thread_id as string,
        ns: checkpoint_ns as string,
        checkpointId: checkpoint_id as string,
        taskId,
        upsert,
        rows: rows.map(([, , , , idx, channel, type, blob]) => [idx, channel, type, blob] as const),
      });
      const result = await settled(sent, memo);
      check?.(result.rowCount);
      return;
    }
    memo?.forgetThread(thread_id as string);
    await this.atomically(async (q) => {
      for (const chunk of chunked(rows, WRITE_ROW_PARAMS, shared.length)) {
        await q.query(putWritesSql(this.tables, chunk.length, upsert), [...shared, ...params(chunk)]);
      }
    });
  }

  override async deleteThread(threadId: string): Promise<void> {
    const sent = this.queryable().query(deleteThreadSql(this.tables), [threadId]);
    const memo = this.scope.getStore()?.memo;
    memo?.forgetThread(threadId);
    await settled(sent, memo);
  }
}

/**
 * A special channel repeated in one batch maps to one idx. The official saver runs one statement
 * per write, so the last one wins under UPSERT and the first under INSERT … DO NOTHING; a multi-row
 * DO UPDATE may not touch one row twice, so the batch keeps exactly the row that would have won.
 */
function oneRowPerIdx<R extends readonly unknown[]>(rows: readonly R[], upsert: boolean): R[] {
  const byIdx = new Map<unknown, R>();
  for (const row of rows) {
    const idx = row[4];
    if (upsert || !byIdx.has(idx)) {
      byIdx.delete(idx);
      byIdx.set(idx, row);
    }
  }
  return [...byIdx.values()];
}
