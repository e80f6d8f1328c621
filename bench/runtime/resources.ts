import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { round } from './stats.js';

/** Linux USER_HZ; /proc/<pid>/stat counts CPU time in these ticks (100 on every common kernel). */
const CLOCK_TICKS_PER_SECOND = Number(process.env['CLK_TCK'] ?? 100);

export interface CpuSnapshot {
  readonly wallMs: number;
  readonly client: NodeJS.CpuUsage;
  readonly brokerTicks: number | undefined;
}

export interface CpuUse {
  /** CPU time over wall time, in % of one core (this machine's ceiling is nproc × 100). */
  readonly clientCpuPercent: number;
  readonly brokerCpuPercent: number | null;
}

/** utime + stime of a process, or undefined when it cannot be read (no pid, not Linux, gone). */
function processTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name "(...)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(brokerPid: number | undefined): CpuSnapshot {
  return { wallMs: performance.now(), client: process.cpuUsage(), brokerTicks: processTicks(brokerPid) };
}

export function cpuSince(start: CpuSnapshot, brokerPid: number | undefined): CpuUse {
  const wallSeconds = (performance.now() - start.wallMs) / 1000;
  const client = process.cpuUsage(start.client);
  const clientSeconds = (client.user + client.system) / 1e6;
  const brokerTicks = processTicks(brokerPid);
  const brokerSeconds = brokerTicks === undefined || start.brokerTicks === undefined ? undefined : (brokerTicks - start.brokerTicks) / CLOCK_TICKS_PER_SECOND;
  return {
    clientCpuPercent: round((100 * clientSeconds) / wallSeconds),
    brokerCpuPercent: brokerSeconds === undefined ? null : round((100 * brokerSeconds) / wallSeconds),
  };
}

/** Peak resident set size of this process so far (getrusage ru_maxrss), in MiB. */
export function peakRssMiB(): number {
  return round(process.resourceUsage().maxRSS / 1024);
}
