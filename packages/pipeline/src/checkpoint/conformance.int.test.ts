// LangGraph's own checkpoint conformance suite, run against our batched saver and, as the
// reference, the official PostgresSaver, each in a fresh schema dropped afterwards.
import { validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { ChannelVersions, Checkpoint, CheckpointListOptions, CheckpointMetadata, CheckpointTuple, PendingWrite } from '@langchain/langgraph-checkpoint';
import type pg from 'pg';
import * as vitest from 'vitest';
import { BatchedPostgresSaver } from './batchedPostgresSaver.js';
import { ScopeMemo } from './scopeMemo.js';

// The suite is written for Jest-style globals (describe, it, expect, hooks) and our vitest config
// does not turn globals on: hand it vitest's own functions before it declares its tests.
Object.assign(globalThis, {
  describe: vitest.describe,
  it: vitest.it,
  test: vitest.test,
  expect: vitest.expect,
  beforeAll: vitest.beforeAll,
  afterAll: vitest.afterAll,
  beforeEach: vitest.beforeEach,
  afterEach: vitest.afterEach,
});

/**
 * The batched saver with every call inside `runOn` on one dedicated client, sharing one memo for
 * the checkpointer's whole life: the suite's reads after its own writes are then served from the
 * memo wherever it believes it knows the answer, so any inexact belief fails a conformance test.
 * (The suite's checkpointer is the only writer of its schema, which is what the memo requires.)
 */
class MemoScopedSaver extends BatchedPostgresSaver {
  static hits = 0;
  private readonly memo = new ScopeMemo();
  private client: Promise<pg.PoolClient> | undefined;

  constructor(private readonly clientPool: pg.Pool, schema: string) {
    super(clientPool, undefined, { schema });
  }

  private async scoped<T>(fn: () => Promise<T>): Promise<T> {
    this.client ??= this.clientPool.connect();
    return this.runOn(await this.client, fn, { memo: this.memo });
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.scoped(() => super.getTuple(config));
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const all = await this.scoped(async () => {
      const out: CheckpointTuple[] = [];
      for await (const tuple of super.list(config, options)) out.push(tuple);
      return out;
    });
    yield* all;
  }

  // A step reads its thread's latest checkpoint before it writes (as the step runner does), which is
  // what lets the memo know the put's checkpoint is the new latest and answer the reads after it.
  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return this.scoped(async () => {
      const { thread_id, checkpoint_ns } = (config.configurable ?? {}) as { thread_id?: unknown; checkpoint_ns?: string };
      if (typeof thread_id === 'string') await super.getTuple({ configurable: { thread_id, checkpoint_ns } });
      return super.put(config, checkpoint, metadata, newVersions);
    });
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    return this.scoped(() => super.putWrites(config, writes, taskId));
  }

  override deleteThread(threadId: string): Promise<void> {
    return this.scoped(() => super.deleteThread(threadId));
  }

  async release(): Promise<void> {
    MemoScopedSaver.hits += this.memo.hits;
    if (this.client) (await this.client).release();
    this.client = undefined;
  }
}

function initializer<S extends PostgresSaver>(
  checkpointerName: string,
  make: (pool: ScratchSchema['pool'], schema: string) => S,
  destroy?: (saver: S) => Promise<void>,
): CheckpointSaverTestInitializer<S> {
  let db: ScratchSchema | undefined;
  const scratch = () => {
    if (!db) throw new Error('beforeAll has not run');
    return db;
  };
  return {
    checkpointerName,
    beforeAllTimeout: 30_000,
    async beforeAll() {
      db = await createScratchSchema('conformance');
      // The official migrations, shared by every saver here.
      await new PostgresSaver(db.pool, undefined, { schema: db.schema }).setup();
    },
    async afterAll() {
      await db?.drop();
    },
    // The suite needs each checkpointer to see only its own state; one lives at a time, so the
    // shared schema is emptied whenever a new one is made.
    async createCheckpointer() {
      const { pool, schema } = scratch();
      await pool.query(`TRUNCATE "${schema}".checkpoints, "${schema}".checkpoint_blobs, "${schema}".checkpoint_writes`);
      return make(pool, schema);
    },
    ...(destroy ? { destroyCheckpointer: destroy } : {}),
  };
}

vitest.describe('BatchedPostgresSaver', () => {
  validate(initializer('BatchedPostgresSaver', (pool, schema) => new BatchedPostgresSaver(pool, undefined, { schema })));
});

vitest.describe('BatchedPostgresSaver, every call in one runOn memo scope', () => {
  validate(initializer('BatchedPostgresSaver+memo', (pool, schema) => new MemoScopedSaver(pool, schema), (saver) => saver.release()));
  // Otherwise this run would prove nothing about the memo.
  vitest.afterAll(() => {
    vitest.expect(MemoScopedSaver.hits).toBeGreaterThan(25);
  });
});

vitest.describe('official PostgresSaver (reference)', () => {
  validate(initializer('@langchain/langgraph-checkpoint-postgres', (pool, schema) => new PostgresSaver(pool, undefined, { schema })));
});
