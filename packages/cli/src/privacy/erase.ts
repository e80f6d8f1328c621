import { redisPrefix } from '@supportstream/config';
import { createPool } from '@supportstream/db';
import { loadMemoryConfig, redisSessionMemory, vectorStoreFromConfig, type SessionMemory, type VectorStore } from '@supportstream/memory';
import { keyVaultFromEnv, type KeyVault } from '@supportstream/privacy';
import {
  eraseCustomerReadModel,
  LIVE_SCHEMA,
  redisConversationCache,
  type ConversationCache,
  type ReadModelErasureReport,
} from '@supportstream/projections';
import { quoteIdentifier } from '@supportstream/db';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { CommandContext } from '../commands.js';
import { purgeCustomerStores, type StorePurgeReport } from './purgeStores.js';

/** Statuses of a conversation that a service may still be working on. */
const IN_FLIGHT = ['RECEIVED', 'IN_PROGRESS', 'AWAITING_APPROVAL'];

export interface ErasureTarget {
  readonly tenantId: string;
  readonly customerId: string;
  /** Who asked, and why: kept in the erasure log (privacy_erasures). */
  readonly by: string;
  readonly reason: string;
  /** Erase even while a conversation of the customer is in flight. */
  readonly force?: boolean;
  readonly schema?: string;
}

export interface ErasureDeps {
  readonly pool: pg.Pool;
  readonly keyVault: KeyVault;
  readonly sessions: SessionMemory;
  readonly vectors: VectorStore;
  readonly cache?: ConversationCache;
}

export type ErasureReport =
  | { readonly status: 'refused'; readonly inFlight: readonly { readonly conversationId: string; readonly status: string }[] }
  | {
      readonly status: 'erased';
      /** False when the customer had no data key (nothing was ever sealed for them, or it was erased before). */
      readonly keyDeleted: boolean;
      readonly readModel: ReadModelErasureReport;
      readonly stores: StorePurgeReport;
    };

/**
 * Erases a customer, in an order that a crash at any point leaves safe to run again:
 * 1. their data key: every personal field sealed with it, on every topic and in every copy of
 *    the log, can no longer be opened (crypto-shredding);
 * 2. the read model: their timelines and rows folded again as a rebuild now reads them;
 * 3. the other stores (session and vector memory, checkpoints, caches and working tables).
 * Refuses while one of their conversations is in flight, unless forced: a service holding the
 * key in its cache (up to a minute) could still write clear text into a store after the purge.
 */
export async function eraseCustomer(deps: ErasureDeps, target: ErasureTarget): Promise<ErasureReport> {
  const schema = target.schema ?? LIVE_SCHEMA;
  const conversations = await deps.pool.query<{ conversation_id: string; status: string | null }>(
    `SELECT conversation_id, status FROM ${quoteIdentifier(schema)}.conversations WHERE tenant_id = $1 AND customer_id = $2 ORDER BY conversation_id`,
    [target.tenantId, target.customerId],
  );
  const inFlight = conversations.rows
    .filter((row) => row.status === null || IN_FLIGHT.includes(row.status))
    .map((row) => ({ conversationId: row.conversation_id, status: row.status ?? 'RECEIVED' }));
  if (inFlight.length > 0 && target.force !== true) return { status: 'refused', inFlight };

  const keyDeleted = await deps.keyVault.erase(target.tenantId, target.customerId, { by: target.by, reason: target.reason });
  const readModel = await eraseCustomerReadModel(deps.pool, { tenantId: target.tenantId, customerId: target.customerId, schema });
  const stores = await purgeCustomerStores(
    { pool: deps.pool, sessions: deps.sessions, vectors: deps.vectors },
    { tenantId: target.tenantId, customerId: target.customerId, conversationIds: readModel.conversationIds },
  );
  await deps.cache?.invalidate(readModel.conversationIds);
  return { status: 'erased', keyDeleted, readModel, stores };
}

export interface EraseCommandOptions {
  readonly tenant: string;
  readonly customer: string;
  readonly by?: string;
  readonly reason?: string;
  readonly force: boolean;
  readonly json: boolean;
  readonly schema?: string;
}

/** `privacy erase --tenant T --customer C`: exit 0 when erased, 1 when refused. */
export async function privacyEraseCommand(context: CommandContext, options: EraseCommandOptions): Promise<number> {
  const pool = createPool(context.config.DATABASE_URL, { max: 3, applicationName: 'supportstream-privacy' });
  const redis = new Redis(context.config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true, keyPrefix: redisPrefix(context.config.SUPPORTSTREAM_NAMESPACE) });
  try {
    await redis.connect();
    const deps: ErasureDeps = {
      pool,
      keyVault: keyVaultFromEnv(context.config, pool, context.logger),
      sessions: redisSessionMemory({ redis }),
      vectors: vectorStoreFromConfig(loadMemoryConfig(), { pool }),
      cache: redisConversationCache(redis),
    };
    const report = await eraseCustomer(deps, {
      tenantId: options.tenant,
      customerId: options.customer,
      by: options.by ?? process.env['USER'] ?? 'supportstream-cli',
      reason: options.reason ?? 'erasure request',
      ...(options.force ? { force: true } : {}),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
    if (options.json) {
      context.print(JSON.stringify(report));
    } else if (report.status === 'refused') {
      const list = report.inFlight.map((row) => `${row.conversationId} (${row.status})`).join(', ');
      (context.printError ?? context.print)(
        `refused: ${report.inFlight.length} conversation(s) of ${options.customer} are in flight: ${list}. ` +
          'Wait until they end (or decide their approvals), or pass --force.',
      );
    } else {
      context.print(
        `erased ${options.customer} of ${options.tenant}: data key ${report.keyDeleted ? 'deleted' : 'already absent'}; ` +
          `${report.readModel.conversationIds.length} conversation(s), ${report.readModel.events} event(s) and ` +
          `${report.readModel.approvals} approval(s) in the read model; stores ${JSON.stringify(report.stores)}`,
      );
    }
    return report.status === 'erased' ? 0 : 1;
  } finally {
    redis.disconnect();
    await pool.end();
  }
}
