/** One recorded pipeline benchmark run: bench/results/pipeline-<UTC time>.json (recordVersion 2). */
import type { BenchCommit } from '../runtime/commit.js';
import type { FloorRun } from './langgraphFloor.js';
import type { PhaseCost, costPerConversation } from './costMeter.js';
import type { ModeResult } from './shared.js';

export interface PipelineRecord {
  readonly recordVersion: 2;
  readonly recordedAt: string;
  /** What reproduces it, from the repository root. */
  readonly command: string;
  /** The code measured: `git rev-parse HEAD`, and whether the tree had changes (which paths, a few). */
  readonly commit: BenchCommit;
  readonly runSeconds: number;
  readonly machine: { readonly cpus: number; readonly memoryGiB: number; readonly node: string; readonly loadAverageBefore: readonly number[]; readonly clockTicksPerSecond: number };
  readonly provider: string;
  readonly settings: {
    readonly conversations: number;
    readonly replicas?: number;
    readonly inProcessConversations: number;
    readonly inProcessConcurrency: number;
    readonly pacedRate: number;
    readonly pacedSeconds: number;
    readonly floorRuns: number;
    readonly pgQuietMs: number;
    readonly timeoutMs: number;
  };
  readonly inProcess: ModeResult & {
    readonly concurrency: number;
    /** process.cpuUsage of the driver + PostgreSQL + Redis over the phase, per conversation. */
    readonly cpuMsPerConversation: number | null;
    readonly cost: ReturnType<typeof costPerConversation>;
  };
  /** The burst: every request at once. */
  readonly distributed: ModeResult;
  readonly paced: ModeResult & { readonly ratePerSecond: number; readonly publishSeconds: number };
  /** The distributed burst's cost divided by its completed conversations. */
  readonly costPerConversation: ReturnType<typeof costPerConversation>;
  /** The same, undivided, with the sampling details (settle waits, machine CPU, Kafka by topic). */
  readonly costTotals: PhaseCost;
  readonly inProcessCostTotals: PhaseCost;
  /** costPerConversation.cpuMs ÷ inProcess.cpuMsPerConversation. */
  readonly distributedToInProcessCpu: number | null;
  readonly langgraphFloor: {
    readonly memoryRunsPerSecond: number;
    readonly postgresRunsPerSecond: number;
    /** Absent in records before the batched saver joined the floor. */
    readonly batchedRunsPerSecond?: number;
    readonly memory: FloorRun;
    readonly postgres: FloorRun;
    readonly batched?: FloorRun;
    readonly nodes: number;
    readonly invokesPerRun: number;
  };
  readonly sampling: {
    readonly processes: Readonly<Record<string, number>>;
    readonly missingProcesses: readonly string[];
    /** What one pg_stat_database reading costs (subtracted from every delta). */
    readonly pgPerRead: Readonly<Record<string, number>>;
  };
  readonly warnings: readonly string[];
}
