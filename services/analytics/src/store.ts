import { withTransaction } from '@supportstream/db';
import type pg from 'pg';
import {
  analyticsDelta,
  COST_COUNTERS,
  costKey,
  MINUTE_COUNTERS,
  minuteKey,
  type AnalyticsBuckets,
  type AnalyticsEvent,
  type CostBucket,
  type CostCounter,
  type MinuteBucket,
  type MinuteCounter,
} from './buckets.js';

/** The per-minute buckets in PostgreSQL (tables of migration 013_analytics). */
export interface AnalyticsStore {
  /** Adds one event to its buckets; false (and nothing changed) when its id was folded in before. */
  apply(event: AnalyticsEvent): Promise<boolean>;
  /** Every bucket from `since` (inclusive) on. */
  load(since: Date): Promise<AnalyticsBuckets>;
  /** Forgets the ids of events folded in before `before` (they can no longer be redelivered). */
  pruneEventIds(before: Date): Promise<number>;
}

const additive = (columns: readonly string[], table: string) => columns.map((column) => `${column} = ${table}.${column} + EXCLUDED.${column}`).join(', ');
const placeholders = (count: number, from = 1) => Array.from({ length: count }, (_, index) => `$${index + from}`).join(', ');

const UPSERT_MINUTE = `INSERT INTO analytics_minutes (tenant_id, minute, ${MINUTE_COUNTERS.join(', ')})
  VALUES (${placeholders(MINUTE_COUNTERS.length + 2)})
  ON CONFLICT (tenant_id, minute) DO UPDATE SET ${additive(MINUTE_COUNTERS, 'analytics_minutes')}`;
const UPSERT_COST = `INSERT INTO analytics_minute_costs (tenant_id, minute, currency, ${COST_COUNTERS.join(', ')})
  VALUES (${placeholders(COST_COUNTERS.length + 3)})
  ON CONFLICT (tenant_id, minute, currency) DO UPDATE SET ${additive(COST_COUNTERS, 'analytics_minute_costs')}`;

type Row<K extends string> = Record<K, string> & { tenant_id: string; minute: Date };

/** bigint columns come back as strings; the sums stay far below 2^53. */
const numbers = <K extends string>(row: Row<K>, columns: readonly K[]): Record<K, number> => Object.fromEntries(columns.map((column) => [column, Number(row[column])])) as Record<K, number>;

export function createAnalyticsStore(pool: pg.Pool): AnalyticsStore {
  return {
    apply: (event) =>
      withTransaction(pool, async (client) => {
        // The id and the sums commit together: a redelivered event finds its id and adds nothing.
        const fresh = await client.query('INSERT INTO analytics_events (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING', [event.metadata.eventId]);
        if ((fresh.rowCount ?? 0) === 0) return false;
        const { minute, cost } = analyticsDelta(event);
        // Always the minute row first, then the cost row: concurrent instances lock in one order.
        await client.query(UPSERT_MINUTE, [minute.tenantId, minute.minute, ...MINUTE_COUNTERS.map((column) => minute.counters[column])]);
        if (cost) await client.query(UPSERT_COST, [cost.tenantId, cost.minute, cost.currency, ...COST_COUNTERS.map((column) => cost.counters[column])]);
        return true;
      }),

    async load(since) {
      const [minuteRows, costRows] = await Promise.all([
        pool.query<Row<MinuteCounter>>(`SELECT tenant_id, minute, ${MINUTE_COUNTERS.join(', ')} FROM analytics_minutes WHERE minute >= $1`, [since]),
        pool.query<Row<CostCounter> & { currency: string }>(`SELECT tenant_id, minute, currency, ${COST_COUNTERS.join(', ')} FROM analytics_minute_costs WHERE minute >= $1`, [since]),
      ]);
      const minutes = new Map<string, MinuteBucket>();
      for (const row of minuteRows.rows) {
        const minute = row.minute.toISOString();
        minutes.set(minuteKey(row.tenant_id, minute), { tenantId: row.tenant_id, minute, counters: numbers(row, MINUTE_COUNTERS) });
      }
      const costs = new Map<string, CostBucket>();
      for (const row of costRows.rows) {
        const minute = row.minute.toISOString();
        costs.set(costKey(row.tenant_id, minute, row.currency), { tenantId: row.tenant_id, minute, currency: row.currency, counters: numbers(row, COST_COUNTERS) });
      }
      return { minutes, costs };
    },

    async pruneEventIds(before) {
      // In batches, so no single statement holds locks on a large part of the table.
      let total = 0;
      for (;;) {
        const deleted =
          (await pool.query('DELETE FROM analytics_events WHERE event_id IN (SELECT event_id FROM analytics_events WHERE processed_at < $1 LIMIT 10000)', [before])).rowCount ?? 0;
        total += deleted;
        if (deleted < 10_000) return total;
      }
    },
  };
}
