/** Resident memory of a process from /proc/<pid>/status (Linux), and a sampler that keeps its peak. */
import { readFileSync } from 'node:fs';
import { MIB, round } from '../runtime/stats.js';

/** VmRSS of the process in bytes, or undefined when it cannot be read (gone, not Linux). */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

export const rssMiB = (pid: number): number | null => {
  const bytes = rssBytes(pid);
  return bytes === undefined ? null : round(bytes / MIB, 1);
};

/** Samples the RSS every `intervalMs` until stopped; the peak and the last value, in MiB. */
export function rssSampler(pid: number, intervalMs = 500): { stop(): { peakMiB: number | null; lastMiB: number | null } } {
  let peak: number | undefined;
  let last: number | undefined;
  const sample = () => {
    last = rssBytes(pid);
    if (last !== undefined && (peak === undefined || last > peak)) peak = last;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakMiB: peak === undefined ? null : round(peak / MIB, 1), lastMiB: last === undefined ? null : round(last / MIB, 1) };
    },
  };
}
