import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './waitFor.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const AGENT_SERVICES = ['triage', 'research', 'solution', 'quality', 'escalation', 'approvals'] as const;
export type AgentServiceName = (typeof AGENT_SERVICES)[number];
/** The read side and the edges: served by their own processes too. */
export const EDGE_SERVICES = ['projections', 'gateway', 'notifier', 'analytics'] as const;
export type ServiceName = AgentServiceName | (typeof EDGE_SERVICES)[number];

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

/** Starts a built service (services/<name>/dist/main.js) as its own process, as production would. */
export interface StartServiceOptions {
  /** Run this script (with tsx) in place of the service's built main.js, given the service name: a test-only entry point. */
  readonly entry?: string;
  /** The log message that means it is up (default `service started`); `serving /metrics and /ready` for a start-up that waits for a dependency. */
  readonly until?: string;
}

export async function startService(name: ServiceName, env: Record<string, string> = {}, options: StartServiceOptions = {}): Promise<ServiceProcess> {
  const args = options.entry === undefined ? [resolve(ROOT, 'services', name, 'dist/main.js')] : ['--import', 'tsx', resolve(ROOT, options.entry), name];
  const child = spawn(process.execPath, args, {
    // JSON logs: the start is recognised by its "service started" record.
    env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const marker = `"msg":${JSON.stringify(options.until ?? 'service started')}`;
  await waitFor(() => output.join('').includes(marker) || child.exitCode !== null, {
    timeoutMs: 60_000,
    description: () => `${name} to start (output: ${output.join('').slice(-1500)})`,
  });
  if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output.join('').slice(-2000)}`);
  return { name, child, output, exited };
}

/** SIGTERM and wait; SIGKILL after the grace period (longer than the service's own 25 s, so a slow drain shows as its exit 1 and its log, not as a kill). */
export async function stopService(service: ServiceProcess, graceMs = 35_000): Promise<number | null> {
  if (service.child.exitCode !== null) return service.child.exitCode;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  try {
    return await service.exited;
  } finally {
    clearTimeout(timer);
  }
}

export function cliPath(): string {
  return resolve(ROOT, 'packages/cli/dist/main.js');
}
