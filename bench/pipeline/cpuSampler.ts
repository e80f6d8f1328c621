/**
 * CPU of the stack's process groups from /proc (each root and its descendants, exited children
 * through the root's cutime/cstime), of the bench driver, and of the whole machine. The arithmetic
 * is in costArithmetic.ts (unit-tested); this file reads.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from '../runtime/stats.js';
import { groupTicks, parseProcStat, sum, type ProcStat } from './costArithmetic.js';

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

// --- processes ---------------------------------------------------------------------------------

function readProcStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return stats;
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

/** A stack process: its pid file (deploy/local writes .local/run/<name>.pid) if it names a matching live process, else a /proc scan. */
function findStackPid(name: string, runDirs: readonly string[], matches: (commandLine: string, pid: number) => boolean): number | undefined {
  for (const dir of runDirs) {
    try {
      const pid = Number(readFileSync(join(dir, `${name}.pid`), 'utf8').trim());
      if (pid > 0 && matches(cmdline(pid), pid)) return pid;
    } catch {
      // No pid file there.
    }
  }
  const stats = readProcStats();
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  // The root of the matching tree: a match whose parent does not match (the postmaster, not a backend).
  return stats.find((stat) => matches(cmdline(stat.pid), stat.pid) && !matches(cmdline(byPid.get(stat.ppid)?.pid ?? 0), stat.ppid))?.pid;
}

export interface ProcessGroups {
  /** Name → root pid; each group is the root and its descendants. */
  readonly roots: Readonly<Record<string, number>>;
  /** Stack processes that were not found (their CPU is then not counted). */
  readonly missing: readonly string[];
}

export function findStackProcesses(runDirs: readonly string[], redisPort: string): ProcessGroups {
  const wanted: Record<string, (commandLine: string, pid: number) => boolean> = {
    kafka: (line) => line.includes('java') && line.includes('kafka.Kafka'),
    registry: (line) => line.includes('java') && /quarkus|apicurio/i.test(line),
    postgres: (line) => /(^|\/)postgres( |$)/.test(line) || line.startsWith('postgres:'),
    redis: (line) => line.startsWith('redis-server') && line.includes(`:${redisPort}`),
  };
  const roots: Record<string, number> = {};
  const missing: string[] = [];
  for (const [name, matches] of Object.entries(wanted)) {
    const pid = findStackPid(name, runDirs, matches);
    if (pid === undefined) missing.push(name);
    else roots[name] = pid;
  }
  return { roots, missing };
}

export interface CpuSample {
  readonly wallMs: number;
  readonly ticksByGroup: Readonly<Record<string, number | undefined>>;
  readonly driver: NodeJS.CpuUsage;
  /** Busy ticks of the whole machine (/proc/stat: everything but idle and iowait), and of them stolen by the hypervisor. */
  readonly machineBusyTicks: number;
  readonly machineStealTicks: number;
}

function machineTicks(): { readonly busy: number; readonly steal: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  return { busy: sum(fields.slice(0, 8)) - (fields[3] ?? 0) - (fields[4] ?? 0), steal: fields[7] ?? 0 };
}

export function sampleCpu(roots: Readonly<Record<string, number>>): CpuSample {
  const stats = readProcStats();
  const machine = machineTicks();
  return {
    wallMs: performance.now(),
    ticksByGroup: Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, groupTicks(pid, stats)])),
    driver: process.cpuUsage(),
    machineBusyTicks: machine.busy,
    machineStealTicks: machine.steal,
  };
}

export interface CpuCost {
  readonly seconds: number;
  /** CPU ms per group; a group whose root was gone at either end is left out and named in `lost`. */
  readonly cpuMsByProcess: Record<string, number>;
  readonly lost: readonly string[];
  /** Everything busy on the machine meanwhile; minus the groups, what other people's work used. */
  readonly machineBusyMs: number;
  readonly machineStealMs: number;
  readonly otherMs: number;
}

export function cpuBetween(before: CpuSample, after: CpuSample): CpuCost {
  const toMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  const cpuMsByProcess: Record<string, number> = {};
  const lost: string[] = [];
  for (const [name, ticks] of Object.entries(after.ticksByGroup)) {
    const earlier = before.ticksByGroup[name];
    if (ticks === undefined || earlier === undefined) lost.push(name);
    else cpuMsByProcess[name] = toMs(ticks - earlier);
  }
  cpuMsByProcess['driver'] = (after.driver.user - before.driver.user + after.driver.system - before.driver.system) / 1000;
  const machineBusyMs = toMs(after.machineBusyTicks - before.machineBusyTicks);
  return {
    seconds: round((after.wallMs - before.wallMs) / 1000, 2),
    cpuMsByProcess,
    lost,
    machineBusyMs,
    machineStealMs: toMs(after.machineStealTicks - before.machineStealTicks),
    otherMs: Math.max(0, machineBusyMs - sum(Object.values(cpuMsByProcess))),
  };
}

export const clockTicksPerSecond = (): number => CLOCK_TICKS_PER_SECOND;

/** /proc/loadavg's first three figures: how busy the machine was around a phase. */
export function loadAverage(): readonly number[] {
  return readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).slice(0, 3).map(Number);
}
