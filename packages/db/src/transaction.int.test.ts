import { randomUUID } from 'node:crypto';
import { TransientError } from '@supportstream/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchSchema, type ScratchSchema } from './testing.js';
import { tryWithAdvisoryLock, withAdvisoryLock, withTransaction } from './transaction.js';

let scratch: ScratchSchema;

beforeAll(async () => {
  scratch = await createScratchSchema('tx');
  await scratch.pool.query('CREATE TABLE items (id int PRIMARY KEY)');
});

afterAll(async () => {
  await scratch.drop();
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits (bounded, by polling) until a backend of this application waits on an advisory lock. */
async function waitForAdvisoryWait(applicationName: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await scratch.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE NOT l.granted AND l.locktype = 'advisory' AND a.application_name = $1`,
      [applicationName],
    );
    if (Number(result.rows[0]?.n) > 0) return;
    if (Date.now() > deadline) throw new Error(`${applicationName} did not wait on an advisory lock within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('withTransaction', () => {
  it('commits what fn did and returns its value', async () => {
    const value = await withTransaction(scratch.pool, async (client) => {
      await client.query('INSERT INTO items VALUES (1)');
      return 'done';
    });
    expect(value).toBe('done');
    expect((await scratch.pool.query('SELECT id FROM items WHERE id = 1')).rowCount).toBe(1);
  });

  it('rolls back when fn throws and rethrows the error as is', async () => {
    const failure = new Error('nope');
    await expect(
      withTransaction(scratch.pool, async (client) => {
        await client.query('INSERT INTO items VALUES (2)');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await scratch.pool.query('SELECT id FROM items WHERE id = 2')).rowCount).toBe(0);
    // The pool is still usable: the client went back clean.
    expect((await scratch.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('turns a serialization failure into a retriable TransientError', async () => {
    await scratch.pool.query('INSERT INTO items VALUES (100) ON CONFLICT DO NOTHING');
    const other = scratch.newPool();
    const readBoth = deferred();
    const bothRead = [deferred(), deferred()];
    const update = (pool: typeof other, index: 0 | 1) =>
      withTransaction(
        pool,
        async (client) => {
          await client.query('SELECT id FROM items WHERE id = 100');
          bothRead[index]?.resolve();
          await readBoth.promise;
          await client.query('UPDATE items SET id = id WHERE id = 100');
        },
        { isolationLevel: 'serializable' },
      );
    const results = [update(scratch.pool, 0), update(other, 1)].map((p) => p.then(() => 'ok', (e: unknown) => e));
    await Promise.all(bothRead.map((d) => d.promise));
    readBoth.resolve();
    const outcomes = await Promise.all(results);
    const failures = outcomes.filter((o) => o !== 'ok');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(TransientError);
    expect(failures[0]).toMatchObject({ code: 'DB_CONFLICT', retriable: true });
  });
});

describe('withAdvisoryLock', () => {
  it('serializes two transactions on the same key', async () => {
    const key = `thread:${randomUUID()}`;
    const waiterApp = `waiter-${randomUUID().slice(0, 8)}`;
    const holderPool = scratch.newPool();
    const waiterPool = scratch.newPool({ applicationName: waiterApp });
    const events: string[] = [];
    const release = deferred();
    const holding = deferred();

    const holder = withAdvisoryLock(holderPool, key, async () => {
      events.push('holder in');
      holding.resolve();
      await release.promise;
      events.push('holder out');
    });
    await holding.promise;
    const waiter = withAdvisoryLock(waiterPool, key, async () => {
      events.push('waiter in');
    });
    await waitForAdvisoryWait(waiterApp);
    expect(events).toEqual(['holder in']);

    release.resolve();
    await Promise.all([holder, waiter]);
    expect(events).toEqual(['holder in', 'holder out', 'waiter in']);
  });

  it('does not make different keys wait for each other', async () => {
    const release = deferred();
    const holding = deferred();
    const holderPool = scratch.newPool();
    const holder = withAdvisoryLock(holderPool, `thread:${randomUUID()}`, async () => {
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    try {
      // Would hang (and time out) if the keys collided; lock_timeout makes a wait fail fast instead.
      await expect(withAdvisoryLock(scratch.newPool(), `thread:${randomUUID()}`, async () => 'ran', { lockTimeoutMs: 2_000 })).resolves.toBe('ran');
    } finally {
      release.resolve();
      await holder;
    }
  });

  it('tryWithAdvisoryLock skips while the key is held; lockTimeoutMs gives up with a retriable error', async () => {
    const key = `thread:${randomUUID()}`;
    const release = deferred();
    const holding = deferred();
    const holder = withAdvisoryLock(scratch.newPool(), key, async () => {
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    try {
      let ran = false;
      const attempt = await tryWithAdvisoryLock(scratch.pool, key, async () => {
        ran = true;
      });
      expect(attempt).toEqual({ acquired: false });
      expect(ran).toBe(false);
      await expect(withAdvisoryLock(scratch.pool, key, async () => 'never', { lockTimeoutMs: 50 })).rejects.toMatchObject({ code: 'DB_LOCK_TIMEOUT', retriable: true });
    } finally {
      release.resolve();
      await holder;
    }
    expect(await tryWithAdvisoryLock(scratch.pool, key, async () => 42)).toEqual({ acquired: true, value: 42 });
  });

  it('works on a checked-out client and releases the lock at commit', async () => {
    const key = `thread:${randomUUID()}`;
    const client = await scratch.pool.connect();
    try {
      expect(await withAdvisoryLock(client, key, async (c) => (await c.query<{ n: number }>('SELECT 7 AS n')).rows[0]?.n)).toBe(7);
      const held = await scratch.pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = $1", [(client as unknown as { processID: number }).processID]);
      expect(Number(held.rows[0]?.n)).toBe(0);
    } finally {
      client.release();
    }
  });
});
