import { describe, expect, it } from 'vitest';
import {
  counterDeltas,
  descendantsOf,
  groupBy,
  groupTicks,
  halfCapacityRate,
  offsetAdvance,
  parseCommandStats,
  parseProcStat,
  perConversation,
  perReadCost,
  pgDelta,
  ratio,
  redisCommandDelta,
  type PgCounters,
} from './costArithmetic.js';
import { latency } from './shared.js';

// A real /proc/<pid>/stat line shape: utime 14 = 120, stime 15 = 30, cutime 16 = 7, cstime 17 = 3.
const statLine = (pid: number, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0, comm = 'node') =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 500 1000 2000`;

const counters = (values: Partial<PgCounters>): PgCounters => ({
  xactCommit: 0,
  xactRollback: 0,
  tupInserted: 0,
  tupUpdated: 0,
  tupDeleted: 0,
  tupReturned: 0,
  tupFetched: 0,
  ...values,
});

describe('/proc sampling arithmetic', () => {
  it('reads ppid and CPU ticks even when the command name has spaces and parentheses', () => {
    expect(parseProcStat(statLine(42, 7, 120, 30, 7, 3, 'postgres: user (db) idle'))).toEqual({ pid: 42, ppid: 7, ownTicks: 150, reapedChildTicks: 10 });
  });

  it('counts a group as its live tree plus the exited children reaped by its root', () => {
    const stats = [
      parseProcStat(statLine(1, 0, 5, 5)),
      parseProcStat(statLine(100, 1, 10, 2, 40, 8, 'postgres')),
      parseProcStat(statLine(101, 100, 3, 1, 99, 99, 'postgres: backend')),
      parseProcStat(statLine(102, 101, 1, 0)),
      parseProcStat(statLine(200, 1, 50, 50)),
    ];
    expect(descendantsOf(100, stats).map((stat) => stat.pid).sort()).toEqual([100, 101, 102]);
    // Live 12 + 4 + 1, plus the root's reaped 48; a child's own cutime is not added twice.
    expect(groupTicks(100, stats)).toBe(65);
    expect(groupTicks(999, stats)).toBeUndefined();
  });

  it('keeps the group total right when a backend exits between samples', () => {
    const before = [parseProcStat(statLine(100, 1, 10, 0)), parseProcStat(statLine(101, 100, 20, 0))];
    // 101 used 5 more ticks and exited; the postmaster reaped it: 25 ticks in its cutime.
    const after = [parseProcStat(statLine(100, 1, 11, 0, 25, 0))];
    expect(groupTicks(100, after)! - groupTicks(100, before)!).toBe(6);
  });
});

describe('Redis and PostgreSQL deltas', () => {
  it('parses INFO commandstats and leaves out the sampler’s own INFO calls', () => {
    const before = parseCommandStats('# Commandstats\r\ncmdstat_get:calls=10,usec=5,usec_per_call=0.5\r\ncmdstat_info:calls=3,usec=9\r\n');
    const after = parseCommandStats('# Commandstats\r\ncmdstat_get:calls=25,usec=5\r\ncmdstat_set:calls=4,usec=1\r\ncmdstat_info:calls=4,usec=9\r\ncmdstat_client|setname:calls=1,usec=1\r\n');
    expect(before).toEqual({ get: 10, info: 3 });
    expect(redisCommandDelta(before, after, 1)).toEqual({ total: 20, byCommand: { 'client|setname': 1, get: 15, set: 4 } });
    // Another client's INFO stays counted.
    expect(redisCommandDelta(before, { ...after, info: 6 }, 1).byCommand['info']).toBe(2);
  });

  it('drops counters that did not move', () => {
    expect(counterDeltas({ a: 1, b: 2 }, { a: 1, b: 5, c: 1 })).toEqual({ b: 3, c: 1 });
  });

  it('subtracts what the sampler’s own readings cost from pg_stat_database differences', () => {
    const perRead = perReadCost(counters({ xactCommit: 100, tupFetched: 50 }), counters({ xactCommit: 104, tupFetched: 90 }), 4);
    expect(perRead).toMatchObject({ xactCommit: 1, tupFetched: 10 });
    const cost = pgDelta(
      counters({ xactCommit: 1_000, xactRollback: 5, tupInserted: 10, tupUpdated: 20, tupDeleted: 1, tupFetched: 500 }),
      counters({ xactCommit: 1_503, xactRollback: 7, tupInserted: 110, tupUpdated: 40, tupDeleted: 2, tupFetched: 800 }),
      3,
      perRead,
    );
    expect(cost).toEqual({ transactions: 502, rowsWritten: 121, rowsInserted: 100, rowsUpdated: 20, rowsDeleted: 1, tuplesReturned: 0, tuplesFetched: 270 });
  });
});

describe('Kafka offsets and per-conversation figures', () => {
  it('sums watermark advances, counting a new partition from 0 and a recreated one as 0', () => {
    const moved = offsetAdvance({ 'a/0': 10, 'a/1': 5, 'b/0': 100 }, { 'a/0': 25, 'a/1': 5, 'b/0': 3, 'c/0': 7 });
    expect(moved).toEqual({ total: 22, byKey: { 'a/0': 15, 'c/0': 7 } });
    expect(groupBy({ 'a/0': 15, 'a/3': 2, 'c/0': 7 }, (key) => key.slice(0, key.indexOf('/')))).toEqual({ a: 17, c: 7 });
  });

  it('divides by completed conversations and never by zero', () => {
    expect(perConversation(250_000, 1_000)).toBe(250);
    expect(perConversation(10, 3, 1)).toBe(3.3);
    expect(perConversation(10, 0)).toBeNull();
    expect(ratio(260, 200)).toBe(1.3);
    expect(ratio(1, null)).toBeNull();
  });

  it('paces at half the burst capacity, whole conversations per second, at least one', () => {
    expect(halfCapacityRate(7.7)).toBe(4);
    expect(halfCapacityRate(101)).toBe(51);
    expect(halfCapacityRate(0.4)).toBe(1);
  });

  it('reports p90 beside the other percentiles', () => {
    const summary = latency(Array.from({ length: 100 }, (_, index) => 100 - index));
    expect(summary).toMatchObject({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
  });
});
