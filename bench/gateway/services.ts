/**
 * The processes the gateway benchmark measures, started as production starts them
 * (services/<name>/dist/main.js), their logs appended to a file as the local services runner
 * does (a pipe into the driver would make the driver part of the gateway's cost).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchService {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The fields of its `service started` log record (the gateway's port among them). */
  readonly started: Readonly<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A driver that fails half-way must not leave a gateway holding ports and sockets behind.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/** The `service started` record in a JSON log, if it is there yet. */
function startedRecord(logFile: string, from: number): Record<string, unknown> | undefined {
  const text = readFileSync(logFile, 'utf8').slice(from);
  for (const line of text.split('\n')) {
    if (!line.includes('"msg":"service started"')) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A half-written line: read again next time.
    }
  }
  return undefined;
}

export async function startBenchService(root: string, name: string, env: Readonly<Record<string, string>>, logDir: string, nodeArgs: readonly string[] = [], timeoutMs = 60_000): Promise<BenchService> {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const from = readFileSync(logFile, 'utf8').length;
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'services', name, 'dist/main.js')], { env: { ...process.env, LOG_FORMAT: 'json', ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const deadline = Date.now() + timeoutMs;
  let started: Record<string, unknown> | undefined;
  while ((started = startedRecord(logFile, from)) === undefined) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start within ${timeoutMs} ms; see ${logFile}`);
    }
    await sleep(100);
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`);
  return {
    name,
    pid: child.pid,
    child,
    logFile,
    started,
    async stop(graceMs = 35_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Polls `url` until it answers 200 (bounded). */
export async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(250);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms: ${last}`);
}

/** Selected samples of a Prometheus text exposition (unlabelled or summed over labels). */
export async function scrapeMetrics(url: string, names: readonly string[]): Promise<Record<string, number | null>> {
  const text = await (await fetch(url)).text();
  const values: Record<string, number | null> = Object.fromEntries(names.map((name) => [name, null]));
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const name = line.slice(0, line.search(/[{ ]/));
    if (!(name in values)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) values[name] = (values[name] ?? 0) + value;
  }
  return values;
}
