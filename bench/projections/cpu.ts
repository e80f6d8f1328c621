// CPU seconds by process group over a phase of the projection benchmark, from /proc: this process
// (the projector), PostgreSQL (the postmaster, its live backends and the ones that exited), Kafka and
// the registry. On this machine they all share the same cores, so the split says where a phase's
// time goes. Linux only; a group that cannot be read is reported as null.
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { round } from '../runtime/stats.js';

const TICKS_PER_SECOND = Number(process.env['CLK_TCK'] ?? 100);
export type ProcessGroup = 'projector' | 'postgres' | 'kafka' | 'registry';
export type CpuSeconds = Record<ProcessGroup, number | null>;

interface Stat {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime; `children` adds the waited-for children's (cutime + cstime). */
  readonly own: number;
  readonly children: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    // After "(comm) ": state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), comm, own: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

function snapshot(): Record<ProcessGroup, number | null> {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is Stat => stat !== undefined);
  const postmaster = stats.find((stat) => stat.comm === 'postgres' && !stats.some((parent) => parent.pid === stat.ppid && parent.comm === 'postgres'));
  const java = stats.filter((stat) => stat.comm === 'java');
  const kafka = java.find((stat) => commandLine(stat.pid).includes('kafka.Kafka'));
  const registry = java.find((stat) => commandLine(stat.pid).includes('registry'));
  const usage = process.cpuUsage();
  const postgres = postmaster && postmaster.own + postmaster.children + stats.filter((stat) => stat.ppid === postmaster.pid).reduce((sum, stat) => sum + stat.own, 0);
  return {
    projector: ((usage.user + usage.system) / 1e6) * TICKS_PER_SECOND,
    postgres: postgres ?? null,
    kafka: kafka ? kafka.own : null,
    registry: registry ? registry.own : null,
  };
}

/** Starts counting; the returned function gives the CPU seconds per group since then. */
export function cpuMeter(): () => CpuSeconds {
  const start = snapshot();
  return () => {
    const end = snapshot();
    const delta = (group: ProcessGroup) => {
      const [from, to] = [start[group], end[group]];
      return from === null || to === null ? null : round((to - from) / TICKS_PER_SECOND, 2);
    };
    return { projector: delta('projector'), postgres: delta('postgres'), kafka: delta('kafka'), registry: delta('registry') };
  };
}

/** A V8 CPU profile of this process around `work`, written to `path` (open it in Chrome DevTools or summarise it with profileTop.ts). */
export async function withCpuProfile<T>(path: string | undefined, work: () => Promise<T>): Promise<T> {
  if (path === undefined) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(path, JSON.stringify(profile));
    session.disconnect();
  }
}
