import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { createScratchSchema, type ScratchSchema } from '@supportstream/db/testing';
import { buildSupportGraph, runStartInput, threadConfig, type RequestInfo } from '@supportstream/graph';
import { emptyCheckpoint, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedNodes } from '../../test/scriptedNodes.js';
import { BatchedPostgresSaver } from './batchedPostgresSaver.js';
import { ScopeMemo } from './scopeMemo.js';

let db: ScratchSchema;

beforeAll(async () => {
  db = await createScratchSchema('batched_saver');
});

afterAll(async () => {
  await db?.drop();
});

/** Every statement sent on a pool's connections, recorded as it leaves (the pool is wrapped before its first connection). */
interface StatementLog {
  readonly statements: readonly string[];
  /** Transactions as the server counts them: one per BEGIN…COMMIT/ROLLBACK, one per statement outside. */
  transactions(): number;
  reset(): void;
}

function logStatements(pool: pg.Pool): StatementLog {
  const sent: { readonly connection: number; readonly text: string }[] = [];
  let connections = 0;
  pool.on('connect', (client) => {
    const connection = (connections += 1);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string }).text ?? '');
      sent.push({ connection, text: text.trim().replace(/\s+/g, ' ') });
      return query(...args);
    };
  });
  return {
    get statements() {
      return sent.map((s) => s.text);
    },
    transactions() {
      // Per connection: LangGraph saves a checkpoint while it reads on another pooled connection.
      let count = 0;
      const open = new Set<number>();
      for (const { connection, text } of sent) {
        const verb = text.toUpperCase();
        if (verb === 'BEGIN') open.add(connection);
        else if (verb === 'COMMIT' || verb === 'ROLLBACK') {
          open.delete(connection);
          count += 1;
        } else if (!open.has(connection)) count += 1;
      }
      return count;
    },
    reset() {
      sent.length = 0;
    },
  };
}

const kindOf = (statement: string): 'put' | 'putWrites' | 'read' | 'tx' | 'other' => {
  if (/^(BEGIN|COMMIT|ROLLBACK)$/i.test(statement)) return 'tx';
  if (/^select/i.test(statement)) return 'read';
  if (/checkpoint_writes/.test(statement) && /^INSERT/i.test(statement)) return 'putWrites';
  if (/checkpoint_blobs|checkpoints/.test(statement) && /^(INSERT|WITH blobs)/i.test(statement)) return 'put';
  return 'other';
};

/** Counts the saver's own calls (what LangGraph asked for), to set against the statements sent. */
function countCalls<S extends PostgresSaver>(saver: S): { puts: number; putWrites: number; nonEmptyPutWrites: number } {
  const calls = { puts: 0, putWrites: 0, nonEmptyPutWrites: 0 };
  const put = saver.put.bind(saver);
  const putWrites = saver.putWrites.bind(saver);
  saver.put = (...args) => {
    calls.puts += 1;
    return put(...args);
  };
  saver.putWrites = (...args) => {
    calls.putWrites += 1;
    if (args[1].length > 0) calls.nonEmptyPutWrites += 1;
    return putWrites(...args);
  };
  return calls;
}

const FIXED = new Date('2025-01-02T03:04:05.000Z');
const request = (conversationId: string): RequestInfo => ({
  requestId: `req-${conversationId}`,
  conversationId,
  tenantId: 't',
  customerId: 'c',
  customerTier: 'STANDARD',
  channel: 'WEB',
  subject: null,
  message: 'Where is my parcel?',
  correlationId: `req-${conversationId}`,
  receivedEventId: `req-${conversationId}`,
  receivedAt: FIXED.toISOString(),
});

/** The pipeline's way: one invoke starts the run, then one invoke per node until the graph ends. Returns the node steps run. */
async function runConversation(saver: PostgresSaver, threadId: string): Promise<number> {
  const graph = buildSupportGraph({ nodes: scriptedNodes(), checkpointer: saver, clock: () => FIXED });
  await graph.invoke(runStartInput(`run-${threadId}`, request(threadId), [], FIXED.toISOString()), threadConfig(threadId));
  let steps = 0;
  for (; steps < 20; steps += 1) {
    const state = await graph.getState(threadConfig(threadId));
    if (state.next.length === 0) return steps;
    await graph.invoke(null, threadConfig(threadId));
  }
  throw new Error('the conversation did not end in 20 steps');
}

/**
 * A table's rows for one thread in a form two runs can be compared in: checkpoint and task ids are
 * time-based uuids, so each is replaced by its rank, and a checkpoint's own `ts` is dropped.
 */
async function normalizedRows(schema: string, threadId: string) {
  const q = async <R extends pg.QueryResultRow>(sql: string) => (await db.pool.query<R>(sql, [threadId])).rows;
  const checkpoints = await q<{ checkpoint_ns: string; checkpoint_id: string; parent_checkpoint_id: string | null; checkpoint: Record<string, unknown>; metadata: unknown }>(
    `SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata FROM "${schema}".checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id`,
  );
  const writes = await q<{ checkpoint_id: string; task_id: string; idx: number; channel: string; type: string; blob: Buffer }>(
    `SELECT checkpoint_id, task_id, idx, channel, type, blob FROM "${schema}".checkpoint_writes WHERE thread_id = $1 ORDER BY checkpoint_id, channel, idx, task_id`,
  );
  const blobs = await q(`SELECT checkpoint_ns, channel, version, type, encode(blob, 'hex') AS blob FROM "${schema}".checkpoint_blobs WHERE thread_id = $1 ORDER BY channel, version`);
  const ids = new Map(checkpoints.map((c, i) => [c.checkpoint_id, `cp${i}`]));
  const taskIds = new Map<string, string>();
  const alias = (text: string) => {
    let out = text;
    for (const [id, name] of [...ids, ...taskIds]) out = out.split(id).join(name);
    return out;
  };
  for (const w of writes) if (!taskIds.has(w.task_id)) taskIds.set(w.task_id, `task${taskIds.size}`);
  return {
    checkpoints: checkpoints.map((c) => ({
      ns: c.checkpoint_ns,
      id: ids.get(c.checkpoint_id),
      parent: c.parent_checkpoint_id === null ? null : ids.get(c.parent_checkpoint_id),
      checkpoint: JSON.parse(alias(JSON.stringify({ ...c.checkpoint, ts: undefined }))) as unknown,
      metadata: JSON.parse(alias(JSON.stringify(c.metadata))) as unknown,
    })),
    blobs,
    writes: writes.map((w) => ({ checkpoint: ids.get(w.checkpoint_id), task: taskIds.get(w.task_id), idx: w.idx, channel: w.channel, type: w.type, blob: alias(w.blob.toString('latin1')) })),
  };
}

describe('BatchedPostgresSaver', () => {
  it('writes the rows the official saver writes for the same conversation, less its "empty" blobs, and reads back the same', async () => {
    const official = new PostgresSaver(db.pool, undefined, { schema: `${db.schema}_official` });
    const batched = new BatchedPostgresSaver(db.pool, undefined, { schema: `${db.schema}_batched` });
    try {
      await official.setup();
      await batched.setup();
      expect(await runConversation(official, 'same-thread')).toBe(6);
      expect(await runConversation(batched, 'same-thread')).toBe(6);
      const expected = await normalizedRows(`${db.schema}_official`, 'same-thread');
      const actual = await normalizedRows(`${db.schema}_batched`, 'same-thread');
      // The comparison is only worth something if the run wrote every kind of row.
      expect(expected.checkpoints.length).toBeGreaterThanOrEqual(8);
      expect(expected.blobs.length).toBeGreaterThan(expected.checkpoints.length);
      expect(expected.writes.length).toBeGreaterThan(6);
      // The official saver also stores a row per consumed channel version with no value ("empty"),
      // which every read drops; the batched saver does not write them.
      const valued = expected.blobs.filter((blob) => blob.type !== 'empty');
      expect(valued.length).toBeLessThan(expected.blobs.length);
      expect(actual).toEqual({ ...expected, blobs: valued });
      const history = async (saver: PostgresSaver) => {
        const tuples = [];
        for await (const tuple of saver.list({ configurable: { thread_id: 'same-thread' } })) tuples.push(tuple.checkpoint.channel_values);
        return tuples;
      };
      expect(await history(batched)).toEqual(await history(official));
    } finally {
      await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_official" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_batched" CASCADE`);
    }
  });

  it('sends one statement per put and per putWrites, in no explicit transaction; the official saver sends many', async () => {
    const figures: Record<string, unknown> = {};
    for (const kind of ['official', 'batched'] as const) {
      const pool = db.newPool();
      const log = logStatements(pool);
      const saver = kind === 'official' ? new PostgresSaver(pool, undefined, { schema: db.schema }) : new BatchedPostgresSaver(pool, undefined, { schema: db.schema });
      await saver.setup();
      log.reset();
      const calls = countCalls(saver);
      const steps = await runConversation(saver, `count-${kind}`);
      const n = (k: ReturnType<typeof kindOf>) => log.statements.filter((s) => kindOf(s) === k).length;
      figures[kind] = {
        steps,
        puts: calls.puts,
        putWrites: calls.putWrites,
        statements: log.statements.length,
        writeStatements: n('put') + n('putWrites'),
        reads: n('read'),
        transactions: log.transactions(),
        statementsPerStep: log.statements.length / steps,
        transactionsPerStep: log.transactions() / steps,
      };
      expect(steps).toBe(6);
      expect(n('other')).toBe(0);
      if (kind === 'batched') {
        expect(n('put')).toBe(calls.puts);
        expect(n('putWrites')).toBe(calls.nonEmptyPutWrites);
        expect(n('tx')).toBe(0);
        // Every statement is its own transaction: writes and reads, nothing else.
        expect(log.transactions()).toBe(calls.puts + calls.nonEmptyPutWrites + n('read'));
      } else {
        // The reference: BEGIN/COMMIT around a put and a putWrites, and one statement per blob and write.
        // As many transactions as ours (one per call), but many more round trips.
        expect(n('tx')).toBe(2 * (calls.puts + calls.putWrites));
        expect(log.transactions()).toBe(calls.puts + calls.putWrites + n('read'));
        expect(n('put') + n('putWrites')).toBeGreaterThan(2 * (calls.puts + calls.nonEmptyPutWrites));
      }
    }
    console.info(`checkpoint statements for one 6-step conversation: ${JSON.stringify(figures)}`);
  });

  describe('runOn', () => {
    const checkpoint = (): Checkpoint => ({ ...emptyCheckpoint(), id: uuid6(-3), channel_values: { messages: ['hi'] }, channel_versions: { messages: 1 } });
    const meta = { source: 'update' as const, step: -1, parents: {} };

    it('runs every query of the saver on the given client, inside its transaction: ROLLBACK leaves nothing, COMMIT keeps it', async () => {
      const pool = db.newPool();
      const poolLog = logStatements(pool);
      const saver = new BatchedPostgresSaver(pool, undefined, { schema: db.schema });
      await saver.setup();
      const other = db.newPool();
      const client = await other.connect();
      const seenOnClient: string[] = [];
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        seenOnClient.push(String(args[0]).trim().split(/\s+/)[0] ?? '');
        return query(...args);
      };
      try {
        for (const outcome of ['ROLLBACK', 'COMMIT'] as const) {
          const thread = threadConfig(`run-on-${outcome}`);
          poolLog.reset();
          seenOnClient.length = 0;
          await client.query('BEGIN');
          const inScope = await saver.runOn(client, async () => {
            const stored = await saver.put(thread, checkpoint(), meta, { messages: 1 });
            await saver.putWrites(stored, [['messages', 'pending']], 'task-1');
            return saver.getTuple(thread);
          });
          // Inside the transaction the saver reads its own uncommitted writes; the pool sees none of them yet.
          expect(inScope?.checkpoint.channel_values).toEqual({ messages: ['hi'] });
          expect(inScope?.pendingWrites).toEqual([['task-1', 'messages', 'pending']]);
          expect(poolLog.statements).toEqual([]);
          expect(seenOnClient).toEqual(['BEGIN', 'WITH', 'INSERT', 'select']);
          expect(await saver.getTuple(thread)).toBeUndefined();
          await client.query(outcome);
          const after = await saver.getTuple(thread);
          if (outcome === 'ROLLBACK') {
            expect(after).toBeUndefined();
            const left = await db.pool.query<{ n: string }>(`SELECT (SELECT count(*) FROM "${db.schema}".checkpoint_blobs WHERE thread_id = $1) + (SELECT count(*) FROM "${db.schema}".checkpoint_writes WHERE thread_id = $1) AS n`, [`run-on-${outcome}`]);
            expect(Number(left.rows[0]?.n)).toBe(0);
          } else {
            expect(after?.checkpoint.channel_values).toEqual({ messages: ['hi'] });
            expect(after?.pendingWrites).toEqual([['task-1', 'messages', 'pending']]);
          }
        }
      } finally {
        client.release();
      }
    });

    it('runs a whole graph step inside the caller transaction, and a ROLLBACK undoes the step', async () => {
      const saver = new BatchedPostgresSaver(db.pool, undefined, { schema: db.schema });
      await saver.setup();
      const graph = buildSupportGraph({ nodes: scriptedNodes(), checkpointer: saver, clock: () => FIXED });
      const thread = threadConfig('run-on-graph');
      await graph.invoke(runStartInput('run-g', request('run-on-graph'), [], FIXED.toISOString()), thread);
      const before = await saver.getTuple(thread);
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await saver.runOn(client, async () => {
          await graph.invoke(null, thread);
          expect((await graph.getState(thread)).next).toEqual(['triage']);
        });
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      expect((await saver.getTuple(thread))?.config).toEqual(before?.config);
      expect((await graph.getState(thread)).next).toEqual(['moderate']);
    });
  });

  it.each(['official', 'batched'] as const)('%s: a repeated special channel in one putWrites keeps the last, a repeated normal write the first', async (kind) => {
    const saver = kind === 'official' ? new PostgresSaver(db.pool, undefined, { schema: db.schema }) : new BatchedPostgresSaver(db.pool, undefined, { schema: db.schema });
    await saver.setup();
    const stored = await saver.put(threadConfig(`dupes-${kind}`), { ...emptyCheckpoint(), id: uuid6(-3) }, { source: 'update', step: -1, parents: {} }, {});
    await saver.putWrites(stored, [['__interrupt__', 'first'], ['__interrupt__', 'second']], 'task-a');
    await saver.putWrites(stored, [['__interrupt__', 'third']], 'task-a');
    await saver.putWrites(stored, [['x', 1], ['__error__', 'e1'], ['__error__', 'e2']], 'task-b');
    await saver.putWrites(stored, [['x', 2]], 'task-b');
    expect((await saver.getTuple(stored))?.pendingWrites).toEqual([
      ['task-a', '__interrupt__', 'third'],
      ['task-b', '__error__', 'e1'],
      ['task-b', 'x', 1],
    ]);
  });
});

describe('BatchedPostgresSaver runOn memo', () => {
  /** Answers every getTuple as the memo would, and checks it against a real read on the same client. */
  class VerifyingSaver extends BatchedPostgresSaver {
    client: pg.ClientBase | undefined;
    compared = 0;
    override async getTuple(config: Parameters<PostgresSaver['getTuple']>[0]) {
      const answer = await super.getTuple(config);
      if (this.client) {
        const fromDb = await this.runOn(this.client, () => super.getTuple(config));
        expect(answer).toEqual(fromDb);
        this.compared += 1;
      }
      return answer;
    }
  }

  /** One step the way the step runner does it: one transaction, read the thread, run the node, read it again. */
  async function stepInScope(saver: BatchedPostgresSaver, client: pg.ClientBase, threadId: string, memo: ScopeMemo): Promise<boolean> {
    const graph = buildSupportGraph({ nodes: scriptedNodes(), checkpointer: saver, clock: () => FIXED });
    await client.query('BEGIN');
    try {
      const more = await saver.runOn(
        client,
        async () => {
          const before = await graph.getState(threadConfig(threadId));
          if (before.next.length === 0) return false;
          await graph.invoke(null, threadConfig(threadId));
          await graph.getState(threadConfig(threadId));
          return true;
        },
        { memo },
      );
      await client.query('COMMIT');
      return more;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }

  it('answers a step\'s reads after its first exactly as the database does, and saves their round trips', async () => {
    const pool = db.newPool();
    const log = logStatements(pool);
    const saver = new VerifyingSaver(pool, undefined, { schema: db.schema });
    await saver.setup();
    const client = await pool.connect();
    saver.client = client;
    const threadId = 'memo-verified';
    const memos: ScopeMemo[] = [];
    try {
      const graph = buildSupportGraph({ nodes: scriptedNodes(), checkpointer: saver, clock: () => FIXED });
      await graph.invoke(runStartInput('run-m', request(threadId), [], FIXED.toISOString()), threadConfig(threadId));
      for (let step = 0; step < 20; step += 1) {
        const memo = new ScopeMemo();
        memos.push(memo);
        if (!(await stepInScope(saver, client, threadId, memo))) break;
      }
      // Each step: three getTuple calls (state, invoke, state); all but the first from the memo.
      expect(memos.length).toBe(7);
      expect(memos.slice(0, 6).map((m) => m.hits)).toEqual([2, 2, 2, 2, 2, 2]);
      expect(saver.compared).toBeGreaterThanOrEqual(6 * 3);
      // Without the verification, a step sends one read, its writes and BEGIN/COMMIT.
      saver.client = undefined;
      log.reset();
      const other = 'memo-counted';
      await graph.invoke(runStartInput('run-c', request(other), [], FIXED.toISOString()), threadConfig(other));
      log.reset();
      let steps = 0;
      while (await stepInScope(saver, client, other, new ScopeMemo())) steps += 1;
      const reads = log.statements.filter((s) => kindOf(s) === 'read').length;
      console.info(`memo: ${steps} steps, ${log.statements.length} statements (${reads} reads), ${log.transactions()} transactions`);
      expect(steps).toBe(6);
      expect(reads).toBe(steps + 1);
    } finally {
      client.release();
    }
  });

  it('does not answer from the memo when the database kept an older blob (DO NOTHING on a re-run version)', async () => {
    const saver = new BatchedPostgresSaver(db.pool, undefined, { schema: db.schema });
    await saver.setup();
    const thread = threadConfig('memo-stale-blob');
    const meta = { source: 'update' as const, step: -1, parents: {} };
    const first = await saver.put(thread, { ...emptyCheckpoint(), id: uuid6(-3), channel_values: { ch: 'one' }, channel_versions: { ch: 1 } }, meta, { ch: 1 });
    // A blob left by an earlier attempt of the next step, under the version the re-run computes again.
    const [type, bytes] = await saver.serde.dumpsTyped('stale');
    await db.pool.query(`INSERT INTO "${db.schema}".checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) VALUES ($1, '', 'ch', '2', $2, $3)`, ['memo-stale-blob', type, bytes]);
    const client = await db.pool.connect();
    try {
      const seen = await saver.runOn(
        client,
        async () => {
          expect((await saver.getTuple(thread))?.config).toEqual(first);
          await saver.put(first, { ...emptyCheckpoint(), id: uuid6(-3), channel_values: { ch: 'fresh' }, channel_versions: { ch: 2 } }, meta, { ch: 2 });
          return saver.getTuple(thread);
        },
        { memo: true },
      );
      expect(seen?.checkpoint.channel_values).toEqual({ ch: 'stale' });
      expect(seen).toEqual(await saver.getTuple(thread));
    } finally {
      client.release();
    }
  });
});
