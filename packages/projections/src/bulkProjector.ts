import { quoteIdentifier, withTransaction, type Pool } from '@supportstream/db';
import type { EventType, SupportEvent } from '@supportstream/events';
import type { ClientBase } from 'pg';
import { copyJson, copyLines, copyText, createCopyBuffer } from './copyRows.js';
import { agentStatsProjection, agentStatsTable, type AgentStatsRow } from './projections/agentStats.js';
import { approvalsProjection, approvalsTable, closingsOf, type ApprovalRecord } from './projections/approvals.js';
import { conversationEventsTable, toEventRow, type EventRow } from './projections/conversationEvents.js';
import { conversationsProjection, conversationsTable, type ConversationRecord } from './projections/conversations.js';
import { costStatsProjection, costStatsTable, type CostStatsRow } from './projections/costStats.js';
import { keyString, type RowProjection } from './projections/projection.js';
import { columnNames, upsertRows, type TableSpec } from './projections/table.js';
import { countClosing, tenantStatsProjection, tenantStatsTable, type TenantStatsRow } from './projections/tenantStats.js';
import type { ApplyResult, PartitionBatch, Projector } from './projector.js';
import { createDeferredIndexes } from './schema.js';
import { readModelRecord } from './masking.js';

export interface BulkProjectorOptions {
  readonly pool: Pool;
  /** A fresh schema made by `ensureReadModel(pool, schema, { deferIndexes: true })`, read by nobody until `finish()`. */
  readonly schema: string;
  /** Event rows copied per COPY statement (default 20,000); one copy runs while the next rows are folded. */
  readonly copyRows?: number;
}

export interface BulkFinishOptions {
  /**
   * Build the timeline's primary key and index (default true). A shard of a rebuild passes false:
   * the rebuild builds them once every shard has finished.
   */
  readonly indexes?: boolean;
}

export interface BulkProjector extends Projector {
  /**
   * Copies the last event rows, writes every other table once, then builds the timeline's primary
   * key and index. Conversations and approvals are inserted (a key another shard wrote is an
   * error, 23505) and counters added, so shards that folded disjoint partitions can each finish
   * into the same schema.
   */
  finish(options?: BulkFinishOptions): Promise<void>;
}

const EVENT_COLUMNS = columnNames(conversationEventsTable);
const COPY_EVENTS = `COPY conversation_events (${EVENT_COLUMNS.map((name) => `"${name}"`).join(', ')}) FROM STDIN`;

/** One timeline row as a COPY line, columns in table order. */
function eventLine(row: EventRow): string {
  return `${copyText(row.event_id)}\t${copyText(row.conversation_id)}\t${copyText(row.tenant_id)}\t${copyText(row.type)}\t${copyText(row.topic)}\t${row.partition}\t${row.offset}\t${row.occurred_at}\t${copyText(row.producer)}\t${copyText(row.request_id)}\t${copyText(row.correlation_id)}\t${copyText(row.causation_id)}\t${row.schema_id}\t${copyText(row.summary)}\t${copyJson(JSON.stringify(row.payload))}`;
}
// The line above must list every column: fail at load time, not with a shifted COPY.
if (EVENT_COLUMNS.length !== 15) throw new Error(`conversation_events has ${EVENT_COLUMNS.length} columns; update eventLine`);

/** Evolves the row an event changes in place; `before` records each key's row as it was before the batch. */
function evolveInto<Row, Handled extends EventType>(projection: RowProjection<Row, Handled>, rows: Map<string, Row>, event: SupportEvent, before?: Map<string, Row | null>): void {
  if (!projection.canHandle.has(event.type)) return;
  const handled = event as SupportEvent<Handled>;
  const key = keyString(projection.keyOf(handled));
  const current = rows.get(key) ?? null;
  if (before !== undefined && !before.has(key)) before.set(key, current);
  const next = projection.evolve(current, handled);
  if (next !== current) rows.set(key, next);
}

const sortedRows = <Row>(rows: ReadonlyMap<string, Row>): Row[] => [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);

/** Rows per statement when the folded tables are written at the end (each travels as one JSON parameter). */
const WRITE_CHUNK = 10_000;

async function writeAll<Row>(client: ClientBase, table: TableSpec<Row>, rows: readonly Row[], mode: 'insert' | 'add'): Promise<void> {
  for (let index = 0; index < rows.length; index += WRITE_CHUNK) await upsertRows(client, table, rows.slice(index, index + WRITE_CHUNK), { mode });
}

/**
 * The projector of a rebuild: the same projections as the live projector, folded in memory and
 * written once. Nobody reads a rebuild's fresh schema before it ends, and a crashed rebuild starts
 * over (a new schema, from offset 0), so it needs no transaction per batch: events are
 * deduplicated by id in memory and copied (COPY) into a timeline without indexes, in large
 * chunks while the next batches are folded; conversations, approvals, statistics and offsets are
 * kept in memory and written once by `finish()`, which then builds the timeline's indexes.
 *
 * Per batch it folds exactly as `foldBatch` does on the stored rows (approval closings are counted
 * per batch, from the batch's first and last state), so it ends with the same tables as the live
 * projector. Memory: every event id, and every conversation, approval and statistics row.
 */
export function createBulkProjector(options: BulkProjectorOptions): BulkProjector {
  const copyRows = options.copyRows ?? 20_000;
  const seen = new Set<string>();
  const offsets = new Map<string, { topic: string; partition: number; next: bigint }>();
  const conversations = new Map<string, ConversationRecord>();
  const approvals = new Map<string, ApprovalRecord>();
  const agentStats = new Map<string, AgentStatsRow>();
  const costStats = new Map<string, CostStatsRow>();
  const tenantStats = new Map<string, TenantStatsRow>();
  const lines = createCopyBuffer();
  let copying: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  let finished = false;

  const copy = (batch: readonly Buffer[]): Promise<void> =>
    withTransaction(options.pool, async (client) => {
      // Not waiting for the WAL flush: a crash ends the rebuild, which starts over.
      await client.query(`SET LOCAL search_path TO ${quoteIdentifier(options.schema)}; SET LOCAL synchronous_commit TO off`);
      await copyLines(client, COPY_EVENTS, batch);
    });

  /** Starts copying the rows folded so far, after the copy in flight: at most one copy runs, and one chunk waits in memory. */
  async function startCopy(): Promise<void> {
    const batch = lines.take();
    await copying;
    if (failure !== undefined) throw failure;
    copying = copy(batch).catch((error: unknown) => {
      failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  function fold(events: readonly SupportEvent[]): void {
    const approvalsBefore = new Map<string, ApprovalRecord | null>();
    for (const event of events) {
      evolveInto(conversationsProjection, conversations, event);
      evolveInto(approvalsProjection, approvals, event, approvalsBefore);
      evolveInto(agentStatsProjection, agentStats, event);
      evolveInto(costStatsProjection, costStats, event);
      evolveInto(tenantStatsProjection, tenantStats, event);
    }
    // As foldBatch: an approval closed in this batch counts once for its tenant, by its status at the end of the batch.
    const before = new Map<string, ApprovalRecord>();
    const changed: ApprovalRecord[] = [];
    for (const [key, row] of approvalsBefore) {
      const after = approvals.get(key);
      if (row !== null) before.set(key, row);
      if (after !== undefined && after !== row) changed.push(after);
    }
    for (const closing of closingsOf(before, changed)) tenantStats.set(closing.tenantId, countClosing(tenantStats.get(closing.tenantId) ?? null, closing));
  }

  return {
    schema: options.schema,
    async apply(batch: PartitionBatch): Promise<ApplyResult> {
      if (finished) throw new Error(`bulk projector of ${options.schema} is finished`);
      if (failure !== undefined) throw failure;
      const key = `${batch.topic}:${batch.partition}`;
      const next = offsets.get(key)?.next ?? 0n;
      // Records are in offset order: only a redelivered batch (its first record below the stored offset) needs the filter.
      const first = batch.records[0];
      const pending = (first === undefined || BigInt(first.offset) >= next ? batch.records : batch.records.filter((record) => BigInt(record.offset) >= next)).map(readModelRecord);
      const alreadyProjected = batch.records.length - pending.length;
      if (BigInt(batch.lastOffset) < next) return { applied: 0, duplicates: 0, alreadyProjected, conversations: [], views: [] };
      const fresh: SupportEvent[] = [];
      for (const record of pending) {
        const id = record.event.metadata.eventId;
        if (seen.has(id)) continue;
        seen.add(id);
        fresh.push(record.event);
        lines.push(eventLine(toEventRow(record)));
      }
      fold(fresh);
      offsets.set(key, { topic: batch.topic, partition: batch.partition, next: BigInt(batch.lastOffset) + 1n });
      if (lines.rows >= copyRows) await startCopy();
      return { applied: fresh.length, duplicates: pending.length - fresh.length, alreadyProjected, conversations: [], views: [] };
    },
    offsets: () => Promise.resolve(new Map([...offsets].map(([key, { next }]) => [key, next]))),
    async finish(finishOptions: BulkFinishOptions = {}) {
      if (finished) return;
      finished = true;
      await startCopy();
      await copying;
      if (failure !== undefined) throw failure;
      await withTransaction(options.pool, async (client) => {
        await client.query(`SET LOCAL search_path TO ${quoteIdentifier(options.schema)}`);
        // Per conversation (and its approvals) one shard holds the whole row; counters are sums over shards.
        await writeAll(client, conversationsTable, sortedRows(conversations), 'insert');
        await writeAll(client, approvalsTable, sortedRows(approvals), 'insert');
        await writeAll(client, agentStatsTable, sortedRows(agentStats), 'add');
        await writeAll(client, costStatsTable, sortedRows(costStats), 'add');
        await writeAll(client, tenantStatsTable, sortedRows(tenantStats), 'add');
        const stored = [...offsets.values()];
        await client.query('INSERT INTO offsets (topic, partition, next_offset) SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[])', [
          stored.map((entry) => entry.topic),
          stored.map((entry) => entry.partition),
          stored.map((entry) => entry.next.toString()),
        ]);
        if (finishOptions.indexes ?? true) await createDeferredIndexes(client, options.schema);
      });
    },
  };
}
