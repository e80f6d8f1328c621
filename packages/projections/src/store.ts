import type { ClientBase } from 'pg';
import { foldBatch } from './batchChange.js';
import { agentStatsTable } from './projections/agentStats.js';
import { approvalsProjection, loadApprovals, saveApprovals } from './projections/approvals.js';
import { insertEvents, toEventRow } from './projections/conversationEvents.js';
import { conversationsProjection, loadConversations, saveConversations } from './projections/conversations.js';
import { costStatsTable } from './projections/costStats.js';
import { keysOf, type ProjectedEvent } from './projections/projection.js';
import { addCounters } from './projections/statistics.js';
import { tenantStatsTable } from './projections/tenantStats.js';
import type { ConversationRow } from './views.js';

export interface WrittenBatch {
  /** The records whose event id was new (first occurrence), in log order. */
  readonly fresh: readonly ProjectedEvent[];
  /** The changed conversations as stored (`RETURNING`), for the cache. */
  readonly conversations: readonly ConversationRow[];
}

/**
 * Writes one partition batch with a fixed number of statements, whatever its size: the events
 * (one insert), then per table one read of the stored rows it evolves and one write, in the
 * table order of READ_MODEL_TABLE_NAMES. The caller holds the conversations' advisory locks.
 */
export async function writeBatch(client: ClientBase, records: readonly ProjectedEvent[]): Promise<WrittenBatch> {
  const inserted = await insertEvents(client, records.map(toEventRow));
  // Keep the first occurrence of each new id (a batch can hold the same event twice).
  const fresh = records.filter((record) => inserted.delete(record.event.metadata.eventId));
  const events = fresh.map((record) => record.event);
  if (events.length === 0) return { fresh, conversations: [] };
  const stored = {
    conversations: await loadConversations(client, keysOf(conversationsProjection, events).map(([id]) => id ?? '')),
    approvals: await loadApprovals(client, keysOf(approvalsProjection, events).map(([id]) => id ?? '')),
  };
  const change = foldBatch(events, stored);
  const conversations = await saveConversations(client, change.conversations);
  await saveApprovals(client, change.approvals);
  await addCounters(client, agentStatsTable, change.agentStats);
  await addCounters(client, costStatsTable, change.costStats);
  await addCounters(client, tenantStatsTable, change.tenantStats);
  return { fresh, conversations };
}
