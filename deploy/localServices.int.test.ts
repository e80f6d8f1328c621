// The local services runner (scripts/services.sh) and its supervisor (scripts/supervise.sh): a
// service that dies is started again with backoff, its log is appended to (never truncated) with a
// line saying why, `status` counts the restarts and `stop` ends both the supervisor and the service.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTopics, deleteTopics, testKafka, uniqueName, waitFor } from '@supportstream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'supportstream-services-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = async (file: string) => (existsSync(file) ? readFile(file, 'utf8') : '');
const count = (text: string, needle: string) => text.split(needle).length - 1;
const pidIn = async (file: string) => Number((await read(file)).trim()) || undefined;
const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the supervisor (scripts/supervise.sh)', () => {
  it('starts a service that was killed again, with growing waits, appending a line that says so; SIGTERM drains and stops both', async () => {
    const log = join(dir, 'svc-fake.log');
    const runDir = join(dir, 'run');
    await run('mkdir', ['-p', runDir]);
    await writeFile(log, 'an earlier run\n');
    // A stand-in service: says it started, drains on SIGTERM.
    const program = "console.log(JSON.stringify({ msg: 'service started', pid: process.pid })); process.on('SIGTERM', () => { console.log(JSON.stringify({ msg: 'drained' })); process.exit(0); }); setInterval(() => undefined, 1000);";
    const supervisor: ChildProcess = spawn('bash', [join(ROOT, 'scripts/supervise.sh'), 'fake', log, runDir, '--', process.execPath, '-e', program], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolveExit) => supervisor.once('exit', (code) => resolveExit(code)));
    try {
      const childFile = join(runDir, 'svc-fake.child');
      await waitFor(async () => count(await read(log), '"msg":"service started"') === 1 && alive(await pidIn(childFile)), { description: 'the first start' });
      const first = await pidIn(childFile);
      process.kill(first ?? 0, 'SIGKILL');
      await waitFor(async () => count(await read(log), '"msg":"service started"') === 2, { timeoutMs: 10_000, description: 'the restart after a kill -9' });
      expect(await read(log)).toContain('"msg":"exited with code 137 (signal 9), restarting in 1s"');
      const second = await pidIn(childFile);
      expect(second).not.toBe(first);
      expect(alive(second)).toBe(true);

      process.kill(second ?? 0, 'SIGKILL');
      await waitFor(async () => count(await read(log), '"msg":"service started"') === 3, { timeoutMs: 10_000, description: 'the second restart' });
      const text = await read(log);
      // The wait doubles after a restart that did not stay up.
      expect(text).toContain('"msg":"exited with code 137 (signal 9), restarting in 2s"');
      expect((await read(join(runDir, 'svc-fake.restarts'))).trim()).toBe('2');
      // Appended, never truncated.
      expect(text.startsWith('an earlier run\n')).toBe(true);

      const third = await pidIn(childFile);
      supervisor.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(alive(third)).toBe(false);
      expect(await read(log)).toContain('"msg":"drained"');
      expect(existsSync(childFile)).toBe(false);
    } finally {
      if (supervisor.exitCode === null) supervisor.kill('SIGKILL');
    }
  });
});

describe('the services runner (scripts/services.sh)', () => {
  it('runs a real service under its supervisor: start, kill -9, back with the restart counted and logged, stop', async () => {
    // The analytics service on a topic and group of its own, in a state directory of its own, on other ports: beside anything running here.
    const kafka = testKafka('services-runner');
    const topic = uniqueName('runner');
    await createTopics(kafka, [topic], 1);
    const env = {
      ...process.env,
      SERVICES_ONLY: 'analytics',
      SERVICES_STATE: dir,
      METRICS_PORT_OFFSET: String(20_000 + Math.floor(Math.random() * 20_000)),
      ANALYTICS_TOPIC: topic,
      ANALYTICS_GROUP: uniqueName('runner-group'),
      SERVICES_START_TIMEOUT: '120',
    };
    const services = (command: string) => run('bash', [join(ROOT, 'scripts/services.sh'), command], { env, timeout: 120_000 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '' }),
    );
    const log = join(dir, 'logs/svc-analytics.log');
    try {
      const started = await services('start');
      expect(started.stdout).toMatch(/^analytics: up \(pid \d+, supervisor \d+, log /m);
      expect(started.code).toBe(0);
      expect((await services('status')).stdout).toMatch(/^analytics: up \(pid \d+, supervisor \d+, restarts 0\)$/m);

      const first = await pidIn(join(dir, 'run/svc-analytics.child'));
      process.kill(first ?? 0, 'SIGKILL');
      await waitFor(async () => count(await read(log), '"msg":"service started"') === 2, { timeoutMs: 60_000, description: 'analytics started again' });
      expect(await read(log)).toContain('"msg":"exited with code 137 (signal 9), restarting in 1s"');
      const status = await services('status');
      expect(status.stdout).toMatch(/^analytics: up \(pid \d+, supervisor \d+, restarts 1\)$/m);
      expect(await pidIn(join(dir, 'run/svc-analytics.child'))).not.toBe(first);

      // A second start leaves the running one alone; the log keeps both runs.
      expect((await services('start')).stdout).toMatch(/^analytics: already running/m);
      const stopped = await services('stop');
      expect(stopped.stdout).toMatch(/^analytics: stopped$/m);
      expect((await services('status')).stdout).toMatch(/^analytics: down$/m);
      const text = await read(log);
      expect(text).toContain('"msg":"stopped cleanly"');
      expect(count(text, '"msg":"service started"')).toBe(2);
    } finally {
      await services('stop');
      await deleteTopics(kafka, [topic]);
    }
  });
});
