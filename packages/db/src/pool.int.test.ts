// A checked-out connection that dies between two queries must not take the process down.
import { startTcpProxy } from '@supportstream/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { isTransientDbError } from './errors.js';
import { createPool } from './pool.js';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream';
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('pool', () => {
  it('survives the server going away while a client is checked out between queries; the next query fails retriably', async () => {
    const url = new URL(databaseUrl);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = proxy.address;
    const pool = createPool(url.toString(), { max: 2, connectionTimeoutMs: 1_000 });
    closers.push(() => proxy.close(), () => pool.end());

    // As a step holds its lock transaction while a model answers.
    const client = await pool.connect();
    await client.query('BEGIN');
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    await proxy.cut();
    // node-postgres emits 'error' on the client here; unhandled, that would crash this process (and fail the run).
    await ended;
    const error = await client.query('SELECT 1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(isTransientDbError(error)).toBe(true);
    client.release(error as Error);

    await proxy.restore();
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
