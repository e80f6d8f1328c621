import { quoteIdentifier, withAdvisoryLock, type Pool, type Queryable } from '@supportstream/db';
import { agentStatsTable } from './projections/agentStats.js';
import { approvalsTable } from './projections/approvals.js';
import { conversationEventsTable } from './projections/conversationEvents.js';
import { conversationsTable } from './projections/conversations.js';
import { costStatsTable } from './projections/costStats.js';
import { tenantStatsTable } from './projections/tenantStats.js';
import { columnOf, deferredIndexesDdl, tableDdl, type TableSpec } from './projections/table.js';

/** The schema the projections service keeps the live read models in. */
export const LIVE_SCHEMA = 'read_model';

interface OffsetRow {
  readonly topic: string;
  readonly partition: number;
  readonly next_offset: number;
}

const offsetsTable: TableSpec<OffsetRow> = {
  name: 'offsets',
  columns: { topic: columnOf.text, partition: columnOf.integer, next_offset: columnOf.bigint },
  primaryKey: ['topic', 'partition'],
};

/**
 * The read-model tables, from each projection's field table. They are created per schema (not by
 * a migration) because a rebuild writes a second, fresh copy next to the live one and compares
 * the two.
 *
 * Fields fed by several topics are "latest wins" by an ordering key (`*_key`: occurredAt, a rank
 * per event type, the event id) rather than by arrival, so the tables are a function of the set of
 * events: the live service (topics interleaved as they arrive) and a rebuild (topics read at
 * another pace) end equal. Counters are sums, so they commute too.
 */
const readModelTables = (deferIndexes: boolean): string =>
  [
    tableDdl(offsetsTable),
    tableDdl(conversationEventsTable, { deferIndexes }),
    tableDdl(conversationsTable),
    tableDdl(approvalsTable),
    tableDdl(agentStatsTable),
    tableDdl(costStatsTable),
    tableDdl(tenantStatsTable),
  ].join('\n\n');
export const READ_MODEL_TABLES = readModelTables(false);

export interface EnsureReadModelOptions {
  /**
   * Creates the timeline (`conversation_events`, one row per event) without its primary key and
   * index, for a bulk load into a fresh schema: building them once after the load is far cheaper
   * than maintaining them row by row. `createDeferredIndexes` must follow the load.
   */
  readonly deferIndexes?: boolean;
}

/** Creates the schema and its tables if missing (idempotent; safe with several instances starting). */
export async function ensureReadModel(pool: Pool, schema: string, options: EnsureReadModelOptions = {}): Promise<void> {
  const quoted = quoteIdentifier(schema);
  // Concurrent CREATE ... IF NOT EXISTS can still collide on the catalog: serialize the starters.
  await withAdvisoryLock(pool, `read-model:${schema}`, async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(readModelTables(options.deferIndexes ?? false));
  });
}

/** After a bulk load into a schema made with `deferIndexes`: the timeline's primary key and index, as `ensureReadModel` would have made them. */
export async function createDeferredIndexes(db: Queryable, schema: string): Promise<void> {
  await db.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}; SET LOCAL maintenance_work_mem TO '256MB'; ${deferredIndexesDdl(conversationEventsTable)}`);
}

export async function dropReadModel(db: Queryable, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
}

/** Tables in the order a transaction touches them (a fixed order keeps concurrent instances free of deadlocks). */
export const READ_MODEL_TABLE_NAMES = ['offsets', 'conversation_events', 'conversations', 'approvals', 'agent_stats', 'cost_stats', 'tenant_stats'] as const;
export type ReadModelTable = (typeof READ_MODEL_TABLE_NAMES)[number];
