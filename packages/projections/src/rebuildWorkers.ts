import { Worker } from 'node:worker_threads';
import { InvalidInputError, TransientError } from '@supportstream/errors';
import type { RebuildShard, ShardConnection, ShardMessage, ShardSpec, ShardWorkerData, WorkerReply } from './rebuildShard.js';

export interface WorkerShardOptions {
  readonly spec: ShardSpec;
  readonly connection: ShardConnection;
  readonly shardIndex: number;
  readonly logLevel: ShardWorkerData['logLevel'];
  readonly onApplied: (partition: string, next: bigint) => void;
  readonly onFailure: (error: Error) => void;
}

// The compiled worker, from src/ (tests) as from dist/: `../dist/` resolves to the package's dist either way.
const WORKER_SCRIPT = new URL('../dist/rebuildShardWorker.js', import.meta.url);

/**
 * The parent's flags without export conditions: the worker runs compiled code, and a test runner's
 * `--conditions source` would send its imports to the TypeScript sources.
 */
function workerExecArgv(): string[] {
  const kept: string[] = [];
  for (let index = 0; index < process.execArgv.length; index += 1) {
    const arg = process.execArgv[index] ?? '';
    if (arg === '--conditions' || arg === '-C') index += 1;
    else if (!arg.startsWith('--conditions=')) kept.push(arg);
  }
  return kept;
}

const toEntries = (targets: ReadonlyMap<string, bigint>) => [...targets].map(([partition, offset]) => [partition, offset.toString()] as const);

/** A rebuild shard in a worker thread, driven by messages; same contract as the main thread's shard. */
export function createWorkerShard(options: WorkerShardOptions): RebuildShard {
  const worker = new Worker(WORKER_SCRIPT, {
    execArgv: workerExecArgv(),
    workerData: {
      shardIndex: options.shardIndex,
      connection: options.connection,
      topics: options.spec.topics,
      targetSchema: options.spec.targetSchema,
      groupId: options.spec.groupId,
      shards: options.spec.shards,
      targets: toEntries(options.spec.targets),
      logLevel: options.logLevel,
    } satisfies ShardWorkerData,
  });
  let waiting: { type: 'finished' | 'stopped'; resolve: () => void; reject: (error: Error) => void } | undefined;
  let exited = false;
  const failed = (error: Error) => {
    const current = waiting;
    waiting = undefined;
    if (current) current.reject(error);
    else options.onFailure(error);
  };
  worker.on('message', (reply: WorkerReply) => {
    if (reply.type === 'applied') {
      for (const [partition, next] of reply.positions) options.onApplied(partition, BigInt(next));
    } else if (reply.type === 'failed') {
      const message = `rebuild shard ${options.shardIndex}: ${reply.message}`;
      failed(reply.retriable ? new TransientError(reply.code, message) : new InvalidInputError(reply.code, message));
    } else if (waiting?.type === reply.type) {
      const current = waiting;
      waiting = undefined;
      current.resolve();
    }
  });
  worker.on('error', (error) => failed(new TransientError('REBUILD_SHARD_CRASHED', `rebuild shard ${options.shardIndex} crashed: ${error.message}`)));
  worker.on('exit', (code) => {
    exited = true;
    if (waiting?.type === 'stopped') {
      const current = waiting;
      waiting = undefined;
      current.resolve();
    } else if (code !== 0 || waiting) {
      failed(new TransientError('REBUILD_SHARD_CRASHED', `rebuild shard ${options.shardIndex} exited with code ${code}`));
    }
  });
  const send = (message: ShardMessage) => worker.postMessage(message);
  const request = (message: ShardMessage & { type: 'finish' | 'stop' }, reply: 'finished' | 'stopped') =>
    new Promise<void>((resolve, reject) => {
      waiting = { type: reply, resolve, reject };
      send(message);
    });
  return {
    start: () => Promise.resolve(),
    setTargets: (targets) => send({ type: 'targets', targets: toEntries(targets) }),
    finish: () => request({ type: 'finish' }, 'finished'),
    async stop() {
      if (exited) return;
      // Bounded: a shard that does not leave within 20 s is terminated (the group forgets it after its session timeout).
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('stop timed out')), 20_000);
      });
      await Promise.race([request({ type: 'stop' }, 'stopped'), bound])
        .catch(async () => {
          await worker.terminate();
        })
        .finally(() => clearTimeout(timer));
    },
  };
}
