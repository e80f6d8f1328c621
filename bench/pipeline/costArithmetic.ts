/**
 * The pure half of the cost sampling (cpuSampler.ts, pgSampler.ts and brokerSamplers.ts do the I/O): parsing /proc and Redis INFO text,
 * differences between two samples, and division per conversation. Unit-tested.
 */
import { round } from '../runtime/stats.js';

/** The CPU fields of /proc/<pid>/stat, in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime: CPU of the process itself (all its threads). */
  readonly ownTicks: number;
  /** cutime + cstime: CPU of its children that exited and were waited for. */
  readonly reapedChildTicks: number;
}

/** Parses one /proc/<pid>/stat line; the command name may contain spaces and parentheses. */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // After ") ": state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17 (1-based).
  const fields = line.slice(close + 2).trim().split(/\s+/);
  const field = (index: number) => Number(fields[index - 3]);
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid: field(4),
    ownTicks: field(14) + field(15),
    reapedChildTicks: field(16) + field(17),
  };
}

/** `root` and every process below it in the process tree. */
export function descendantsOf(root: number, stats: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const found: ProcStat[] = [];
  const pending = stats.filter((stat) => stat.pid === root);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    found.push(next);
    pending.push(...(children.get(next.pid) ?? []));
  }
  return found;
}

/**
 * CPU ticks of a process group: what its live members used plus what the root's exited children
 * used (a PostgreSQL backend that ended and was reaped lands in the postmaster's cutime/cstime).
 * A member that exits between two samples moves from one term to the other, so deltas stay right.
 */
export function groupTicks(root: number, stats: readonly ProcStat[]): number | undefined {
  const members = descendantsOf(root, stats);
  const rootStat = members.find((stat) => stat.pid === root);
  if (!rootStat) return undefined;
  return members.reduce((total, stat) => total + stat.ownTicks, 0) + rootStat.reapedChildTicks;
}

/** `INFO commandstats` → calls per command ("cmdstat_get:calls=12,usec=..." lines). */
export function parseCommandStats(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls[match[1]!] = Number(match[2]);
  }
  return calls;
}

/** after − before per key (keys missing before count from 0); keys whose difference is 0 are dropped. */
export function counterDeltas(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const deltas: Record<string, number> = {};
  for (const key of Object.keys(after).sort()) {
    const delta = (after[key] ?? 0) - (before[key] ?? 0);
    if (delta !== 0) deltas[key] = delta;
  }
  return deltas;
}

export const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

/** Redis commands between two samples, minus the `INFO` calls the sampler itself made. */
export function redisCommandDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, ownInfoCalls: number): {
  readonly total: number;
  readonly byCommand: Record<string, number>;
} {
  const byCommand = counterDeltas(before, after);
  const info = (byCommand['info'] ?? 0) - ownInfoCalls;
  if (info > 0) byCommand['info'] = info;
  else delete byCommand['info'];
  return { total: sum(Object.values(byCommand)), byCommand };
}

/** One partition's offset, keyed "topic/partition" (or "group topic/partition"). */
export type OffsetMap = Readonly<Record<string, number>>;

/**
 * Records added between two offset maps. A key absent before counts from 0 (a topic created
 * meanwhile); for committed offsets the caller fills absent keys first (see brokerSamplers.ts). Negative
 * differences (a topic recreated) count 0.
 */
export function offsetAdvance(before: OffsetMap, after: OffsetMap): { readonly total: number; readonly byKey: Record<string, number> } {
  const byKey: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const advance = Math.max(0, value - (before[key] ?? 0));
    if (advance > 0) byKey[key] = advance;
  }
  return { total: sum(Object.values(byKey)), byKey };
}

/** Adds up a by-key map into coarser keys (e.g. "topic/3" → "topic"). */
export function groupBy(byKey: Readonly<Record<string, number>>, keyOf: (key: string) => string): Record<string, number> {
  const grouped: Record<string, number> = {};
  for (const [key, value] of Object.entries(byKey)) grouped[keyOf(key)] = (grouped[keyOf(key)] ?? 0) + value;
  return grouped;
}

/** value / conversations, rounded; null when nothing completed (no division by zero). */
export function perConversation(value: number, conversations: number, digits = 2): number | null {
  return conversations > 0 ? round(value / conversations, digits) : null;
}

export function perConversationMap(values: Readonly<Record<string, number>>, conversations: number, digits = 2): Record<string, number | null> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, perConversation(value, conversations, digits)]));
}

/** The PostgreSQL counters of pg_stat_database that the bench reads. */
export interface PgCounters {
  readonly xactCommit: number;
  readonly xactRollback: number;
  readonly tupInserted: number;
  readonly tupUpdated: number;
  readonly tupDeleted: number;
  readonly tupReturned: number;
  readonly tupFetched: number;
}

export interface PgCost {
  readonly transactions: number;
  readonly rowsWritten: number;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly rowsDeleted: number;
  readonly tuplesReturned: number;
  readonly tuplesFetched: number;
}

/**
 * Work between two pg_stat_database readings, minus `ownReads` times what one reading costs
 * (each reading is a connection and a query of its own, counted by the next reading).
 */
export function pgDelta(before: PgCounters, after: PgCounters, ownReads: number, perRead: PgCounters): PgCost {
  const d = (key: keyof PgCounters) => Math.max(0, after[key] - before[key] - ownReads * perRead[key]);
  return {
    transactions: d('xactCommit') + d('xactRollback'),
    rowsWritten: d('tupInserted') + d('tupUpdated') + d('tupDeleted'),
    rowsInserted: d('tupInserted'),
    rowsUpdated: d('tupUpdated'),
    rowsDeleted: d('tupDeleted'),
    tuplesReturned: d('tupReturned'),
    tuplesFetched: d('tupFetched'),
  };
}

/** Per-reading cost from `reads` readings taken back to back on an otherwise idle database. */
export function perReadCost(first: PgCounters, last: PgCounters, reads: number): PgCounters {
  const d = (key: keyof PgCounters) => (reads > 0 ? Math.max(0, last[key] - first[key]) / reads : 0);
  return {
    xactCommit: d('xactCommit'),
    xactRollback: d('xactRollback'),
    tupInserted: d('tupInserted'),
    tupUpdated: d('tupUpdated'),
    tupDeleted: d('tupDeleted'),
    tupReturned: d('tupReturned'),
    tupFetched: d('tupFetched'),
  };
}

/** Paced rate from the burst's capacity: half of it, whole conversations per second, at least 1. */
export function halfCapacityRate(burstConversationsPerSecond: number): number {
  return Math.max(1, Math.round(burstConversationsPerSecond / 2));
}

/** a / b rounded, or null when b is not a positive number. */
export function ratio(a: number | null, b: number | null, digits = 2): number | null {
  return a !== null && b !== null && b > 0 ? round(a / b, digits) : null;
}
