// Test helpers that drive the local stack's own scripts: the cluster facts of lib/kafkaStatus.js
// (as `stack.sh status` reads them) and `stack.sh` itself (broker kill/start, status).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STATUS_SCRIPT = fileURLToPath(new URL('../lib/kafkaStatus.js', import.meta.url));
const STACK_SCRIPT = fileURLToPath(new URL('../stack.sh', import.meta.url));

/** What `node deploy/local/lib/kafkaStatus.js --json` prints. */
export interface ClusterFacts {
  readonly answeredBy: string;
  readonly clusterId: string | null;
  readonly brokers: readonly { readonly id: number; readonly address: string }[];
  readonly unreachableBrokers: readonly number[];
  readonly missingBrokers: readonly number[];
  readonly quorum: { readonly leader: number; readonly epoch: number; readonly voters: readonly number[] } | { readonly error: string };
  readonly topics: number;
  readonly partitions: number;
  readonly leaders: Readonly<Record<string, number>>;
  readonly underReplicated: readonly string[];
  readonly offline: readonly string[];
  readonly underMinIsr: readonly string[];
  readonly replication: Readonly<Record<string, { readonly replicas: number; readonly minInsyncReplicas: number | null }>>;
}

export async function clusterFacts(brokers: readonly string[]): Promise<ClusterFacts> {
  const { stdout } = await run(process.execPath, [STATUS_SCRIPT, '--brokers', brokers.join(','), '--json'], { timeout: 20_000 });
  return JSON.parse(stdout) as ClusterFacts;
}

/** The status script's text form and exit code (2 when no broker answered). */
export async function clusterFactsText(brokers: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [STATUS_SCRIPT, '--brokers', brokers.join(','), '--timeout-ms', '1000'], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Runs `bash deploy/local/stack.sh ARGS` in this process's environment (STACK_DIR, ports). */
export async function stackSh(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('bash', [STACK_SCRIPT, ...args], { cwd: REPO_ROOT, timeout: 150_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
  }
}
