import { availableParallelism } from 'node:os';
import { createPool } from '@supportstream/db';
import { createEventCodec, TOPIC_NAMES } from '@supportstream/events';
import { createKafka } from '@supportstream/kafka';
import { dropReadModel, LIVE_SCHEMA, rebuildReadModel, type RebuildProgress } from '@supportstream/projections';
import type { CommandContext } from './commands.js';
import { keyVaultFromEnv } from '@supportstream/privacy';

export interface RebuildCommandOptions {
  /** Schema to rebuild into (default read_model_rebuild). */
  readonly target?: string;
  /** Drop the target first if it exists. */
  readonly replace: boolean;
  /** Compare with the live read model (default); off: only rebuild. */
  readonly compare: boolean;
  /** Keep the rebuilt schema (default: dropped once compared, it was built to prove the live one). */
  readonly keep: boolean;
  readonly json: boolean;
  /** Threads folding disjoint partitions (default: the cores, at most 3: the platform's partition counts share the divisor 3). */
  readonly shards?: number;
}

const rate = (progress: RebuildProgress) => `${progress.phase}: ${progress.messages} events, ${Math.round(progress.eventsPerSecond)} events/s, ${progress.remaining} remaining, ${progress.elapsedSeconds.toFixed(1)} s`;

/**
 * `projections rebuild`: replays every topic from offset 0 into a fresh schema and proves the live
 * read model equal to it (a checksum per table at the same offsets). Exit 0 when equal, 1 when not.
 */
export async function projectionsRebuildCommand(context: CommandContext, options: RebuildCommandOptions): Promise<number> {
  const target = options.target ?? `${LIVE_SCHEMA}_rebuild`;
  const pool = createPool(context.config.DATABASE_URL, { max: 4, applicationName: 'supportstream-rebuild' });
  const kafka = createKafka({ brokers: context.config.KAFKA_BROKERS, clientId: 'supportstream-rebuild', logger: context.logger, namespace: context.config.SUPPORTSTREAM_NAMESPACE });
  const printError = context.printError ?? context.print;
  try {
    const report = await rebuildReadModel({
      kafka,
      codec: createEventCodec({ registryUrl: context.config.SCHEMA_REGISTRY_URL, namespace: context.config.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(context.config, pool) }),
      pool,
      logger: context.logger,
      topics: [...TOPIC_NAMES],
      targetSchema: target,
      replace: options.replace,
      ...(options.compare ? { liveSchema: LIVE_SCHEMA } : {}),
      onProgress: (progress) => printError(rate(progress)),
      shards: options.shards ?? Math.min(3, availableParallelism()),
      connection: { kafkaBrokers: context.config.KAFKA_BROKERS, schemaRegistryUrl: context.config.SCHEMA_REGISTRY_URL, databaseUrl: context.config.DATABASE_URL, namespace: context.config.SUPPORTSTREAM_NAMESPACE, privacy: { PRIVACY_MASTER_KEYS: context.config.PRIVACY_MASTER_KEYS, NODE_ENV: context.config.NODE_ENV } },
    });
    if (!options.keep && options.compare) await dropReadModel(pool, target);
    if (options.json) {
      context.print(JSON.stringify(report));
    } else {
      context.print(`rebuilt ${report.messages} events into ${target} in ${report.seconds.toFixed(1)} s (${Math.round(report.eventsPerSecond)} events/s)${!options.keep && options.compare ? '; dropped after the comparison' : ''}`);
      for (const table of report.comparison?.tables ?? []) {
        context.print(`  ${table.equal ? 'equal  ' : 'DIFFERS'} ${table.table.padEnd(20)} live ${String(table.live.rows).padStart(8)} rows ${table.live.md5}  rebuilt ${String(table.rebuilt.rows).padStart(8)} rows ${table.rebuilt.md5}`);
      }
      if (report.comparison) context.print(report.comparison.equal ? `the live read model equals the rebuild at ${Object.keys(report.comparison.atOffsets).length} partition offsets` : 'the live read model DIFFERS from the rebuild');
    }
    return report.comparison?.equal === false ? 1 : 0;
  } finally {
    await pool.end();
  }
}
