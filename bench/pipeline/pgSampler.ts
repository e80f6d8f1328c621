/**
 * PostgreSQL's work from pg_stat_database: transactions, rows written, tuples read, read from a
 * fresh connection each time, with what the readings themselves cost measured and subtracted.
 */
import pg from 'pg';
import { perReadCost, pgDelta, type PgCost, type PgCounters } from './costArithmetic.js';
import { sleep } from './shared.js';

export interface PgSample {
  readonly counters: PgCounters;
  /** application_name → connections to the database at the time of the reading (the sampler's own left out). */
  readonly clients: Readonly<Record<string, number>>;
  /** How many readings the sampler had made before this one (each costs a little, counted later). */
  readonly readIndex: number;
}

export interface PgSettled extends PgSample {
  readonly waitedMs: number;
  readonly settled: boolean;
  /** What moved between the readings of the wait: [ms since the wait began, transactions, rows written]. */
  readonly trace: readonly (readonly [number, number, number])[];
  /** Every client seen during the wait, with the most connections it had. */
  readonly clientsSeen: Readonly<Record<string, number>>;
}

export interface PgSampler {
  /** Reads now, from a fresh connection (no cached statistics snapshot). */
  read(): Promise<PgSample>;
  /**
   * Waits until the counters have stopped moving for `quietMs` and reads. Backends flush their
   * statistics at most once a second while busy and up to 10 s after going idle (PGSTAT_IDLE_INTERVAL),
   * or when they exit; so a phase is only fully counted 10 s after its last transaction.
   * pg_stat_force_next_flush() would only flush the sampler's own backend, which exits anyway.
   */
  settled(options: { readonly quietMs: number; readonly maxMs: number }): Promise<PgSettled>;
  /** A phase's work between two samples, minus the sampler's own readings. */
  between(before: PgSample, after: PgSample): PgCost;
  /** What one reading costs, measured at the start on the quiet database. */
  readonly perRead: () => PgCounters;
  calibrate(): Promise<PgCounters>;
}

// One statement (one transaction): the counters, and who else is connected, to tell other people's work apart.
const PG_QUERY = `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched,
    (SELECT coalesce(json_object_agg(name, connections), '{}') FROM (
       SELECT coalesce(application_name, '') AS name, count(*) AS connections FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1) AS clients) AS clients
  FROM pg_stat_database WHERE datname = current_database()`;

export function createPgSampler(databaseUrl: string): PgSampler {
  let reads = 0;
  let perRead: PgCounters = { xactCommit: 1, xactRollback: 0, tupInserted: 0, tupUpdated: 0, tupDeleted: 0, tupReturned: 0, tupFetched: 0 };
  const read = async (): Promise<PgSample> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const row = (await client.query<Record<string, unknown>>(PG_QUERY)).rows[0] ?? {};
      const n = (key: string) => Number(row[key] ?? 0);
      const clients = Object.fromEntries(Object.entries((row['clients'] ?? {}) as Record<string, unknown>).map(([name, count]) => [name, Number(count)]));
      const counters: PgCounters = {
        xactCommit: n('xact_commit'),
        xactRollback: n('xact_rollback'),
        tupInserted: n('tup_inserted'),
        tupUpdated: n('tup_updated'),
        tupDeleted: n('tup_deleted'),
        tupReturned: n('tup_returned'),
        tupFetched: n('tup_fetched'),
      };
      return { counters, clients, readIndex: reads++ };
    } finally {
      await client.end();
    }
  };
  const between = (before: PgSample, after: PgSample) => pgDelta(before.counters, after.counters, after.readIndex - before.readIndex, perRead);
  return {
    read,
    between,
    perRead: () => perRead,
    async calibrate() {
      // Nothing else runs yet: the difference over a few back-to-back readings is their own cost.
      const first = await read();
      for (let index = 0; index < 4; index += 1) await read();
      await sleep(1_500);
      const last = await read();
      perRead = perReadCost(first.counters, last.counters, last.readIndex - first.readIndex);
      return perRead;
    },
    async settled({ quietMs, maxMs }) {
      const started = performance.now();
      const trace: [number, number, number][] = [];
      const clientsSeen: Record<string, number> = {};
      const seen = (sample: PgSample) => {
        for (const [name, count] of Object.entries(sample.clients)) clientsSeen[name] = Math.max(clientsSeen[name] ?? 0, count);
        return sample;
      };
      let previous = seen(await read());
      let quietSince = performance.now();
      const done = (settled: boolean): PgSettled => ({ ...previous, waitedMs: Math.round(performance.now() - started), settled, trace, clientsSeen });
      while (performance.now() - started < maxMs) {
        if (performance.now() - quietSince >= quietMs) return done(true);
        await sleep(1_000);
        const next = seen(await read());
        const moved = between(previous, next);
        trace.push([Math.round(performance.now() - started), moved.transactions, moved.rowsWritten]);
        // A timer query or two (the approvals service's expiry check) is not a phase still flushing.
        if (moved.rowsWritten > 0 || moved.transactions > 2) quietSince = performance.now();
        previous = next;
      }
      return done(false);
    },
  };
}
