/**
 * A rebuild shard in a worker thread (started by `rebuildReadModel` with `shards` > 1): its own
 * Kafka client, registry codec and PostgreSQL pool from `ShardConnection`, the same shard code as
 * the main thread's. Messages: in `targets` / `finish` / `stop`; out `applied` / `finished` /
 * `stopped` / `failed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPool } from '@supportstream/db';
import { createEventCodec } from '@supportstream/events';
import { createKafka } from '@supportstream/kafka';
import { createLogger } from '@supportstream/observability';
import { errorCode, isRetriable } from '@supportstream/errors';
import { createRebuildShard, type ShardMessage, type ShardWorkerData, type WorkerReply } from './rebuildShard.js';
import { keyVaultFromEnv } from '@supportstream/privacy';

const port = parentPort;
if (port === null) throw new Error('rebuildShardWorker runs in a worker thread');
const data = workerData as ShardWorkerData;
const logger = createLogger({ service: 'supportstream-rebuild', level: data.logLevel }).child({ component: 'rebuild-shard', shard: data.shardIndex });
const pool = createPool(data.connection.databaseUrl, { max: 2, applicationName: 'supportstream-rebuild' });
const kafka = createKafka({ brokers: data.connection.kafkaBrokers, clientId: `supportstream-rebuild-${data.shardIndex}`, logger, namespace: data.connection.namespace });
const codec = createEventCodec({ registryUrl: data.connection.schemaRegistryUrl, namespace: data.connection.namespace, cipher: keyVaultFromEnv(data.connection.privacy ?? {}, pool, logger) });
const post = (reply: WorkerReply) => port.postMessage(reply);
const fail = (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error), code: errorCode(error), retriable: isRetriable(error) });

// Applied batches are reported at most every 50 ms: the main thread needs positions, not every batch.
const pending = new Map<string, string>();
let flushTimer: NodeJS.Timeout | undefined;
const flush = () => {
  flushTimer = undefined;
  if (pending.size === 0) return;
  post({ type: 'applied', positions: [...pending] });
  pending.clear();
};

const shard = createRebuildShard(
  { kafka, codec, pool, logger },
  { topics: data.topics, targetSchema: data.targetSchema, groupId: data.groupId, shards: data.shards, targets: new Map(data.targets.map(([partition, offset]) => [partition, BigInt(offset)])) },
  (partition, next) => {
    pending.set(partition, next.toString());
    flushTimer ??= setTimeout(flush, 50);
  },
  fail,
);

port.on('message', (message: ShardMessage) => {
  const handle = async () => {
    if (message.type === 'targets') {
      shard.setTargets(new Map(message.targets.map(([partition, offset]) => [partition, BigInt(offset)])));
    } else if (message.type === 'finish') {
      clearTimeout(flushTimer);
      flush();
      await shard.finish();
      post({ type: 'finished' });
    } else {
      clearTimeout(flushTimer);
      await shard.stop();
      await pool.end();
      post({ type: 'stopped' });
      port.close();
    }
  };
  handle().catch(fail);
});

shard.start().catch(fail);
