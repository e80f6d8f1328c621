import type pg from 'pg';
import { moneyAmount, perUnit, type MoneyAmount } from './money.js';
import { bucketStarts, type WindowRange } from './window.js';

/**
 * The support figures of the Overview, read from what services/analytics folds out of
 * system.analytics (migration 013_analytics: one row per tenant and minute, and per currency for
 * money). Everything is summed in SQL; at most one row per bucket (168 for 7d) and per currency
 * comes back.
 */

/** Columns of analytics_minutes the Overview sums, and their names in the answer. */
const COUNTERS = {
  conversations: 'conversations',
  resolved: 'resolved',
  resolved_after_approval: 'resolvedAfterApproval',
  handed_off: 'handedOff',
  fallback: 'fallback',
  failed: 'failed',
  escalated: 'escalated',
  handling_ms: 'handlingMs',
  quality_sum_micros: 'qualitySumMicros',
  quality_count: 'qualityCount',
  llm_calls: 'llmCalls',
  llm_cached_calls: 'llmCachedCalls',
  prompt_tokens: 'promptTokens',
  completion_tokens: 'completionTokens',
} as const;
type Column = keyof typeof COUNTERS;
type Sums = Record<(typeof COUNTERS)[Column], number>;
const COLUMNS = Object.keys(COUNTERS) as Column[];

/** Most currencies one tenant's costs are listed in (there are a handful in practice). */
const MAX_CURRENCIES = 20;

// ROLLUP adds the grand total (bucket NULL) to the per-bucket rows: one scan of the tenant's minutes.
const SERIES_SQL = `SELECT bucket, ${COLUMNS.map((column) => `sum(${column})::text AS ${column}`).join(', ')}
  FROM (SELECT date_bin($2::interval, minute, timestamptz 'epoch') AS bucket, ${COLUMNS.join(', ')}
          FROM analytics_minutes
         WHERE tenant_id = $1 AND minute >= $3 AND minute < $4) AS minutes
 GROUP BY ROLLUP (bucket)
 ORDER BY bucket NULLS FIRST`;

const COSTS_SQL = `SELECT currency, sum(conversations)::text AS conversations, sum(cost_micros)::text AS cost_micros, sum(llm_cost_micros)::text AS llm_cost_micros
  FROM analytics_minute_costs
 WHERE tenant_id = $1 AND minute >= $2 AND minute < $3
 GROUP BY currency
 ORDER BY currency
 LIMIT ${MAX_CURRENCIES}`;

type SeriesRow = { readonly bucket: Date | null } & Readonly<Record<Column, string | null>>;
interface CostRow {
  readonly currency: string;
  readonly conversations: string;
  readonly cost_micros: string;
  readonly llm_cost_micros: string;
}

export interface OverviewTotals {
  readonly conversations: number;
  readonly resolved: number;
  readonly resolvedAfterApproval: number;
  readonly handedOff: number;
  readonly fallback: number;
  readonly failed: number;
  readonly escalated: number;
  /** (resolved + resolvedAfterApproval) / conversations; null without conversations. */
  readonly resolutionRate: number | null;
  /** escalated / conversations; null without conversations. */
  readonly escalationRate: number | null;
  readonly meanHandlingMs: number | null;
  readonly meanQualityScore: number | null;
  readonly llm: { readonly calls: number; readonly cachedCalls: number; readonly promptTokens: number; readonly completionTokens: number };
}

export interface OverviewBucket {
  readonly start: string;
  readonly conversations: number;
  readonly resolved: number;
  readonly resolvedAfterApproval: number;
  readonly handedOff: number;
  readonly fallback: number;
  readonly failed: number;
  readonly escalated: number;
  readonly meanHandlingMs: number | null;
}

export interface OverviewCost {
  readonly currency: string;
  /** Finished conversations whose total cost is in this currency. */
  readonly conversations: number;
  /** What those conversations cost in total (RequestOutcome.totalCost). */
  readonly total: MoneyAmount;
  /** total / conversations, rounded to the micro (half to even); null without conversations. */
  readonly perConversation: MoneyAmount | null;
  /** What the model calls cost (LlmUsage.cost; cached answers cost nothing). */
  readonly llm: MoneyAmount;
}

export interface AnalyticsFigures {
  readonly totals: OverviewTotals;
  readonly series: readonly OverviewBucket[];
  readonly costs: readonly OverviewCost[];
}

/** The per-tenant analytics of a window; main.ts and the tests build it over their pool. */
export interface AnalyticsOverview {
  read(tenantId: string, range: WindowRange): Promise<AnalyticsFigures>;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const mean = (sum: number, count: number): number | null => (count > 0 ? Math.round(sum / count) : null);

/** bigint sums come back as text; counts and milliseconds stay far below 2^53. */
function sumsOf(row: SeriesRow | undefined): Sums {
  return Object.fromEntries(COLUMNS.map((column) => [COUNTERS[column], Number(row?.[column] ?? 0)])) as Sums;
}

export function totalsOf(sums: Sums): OverviewTotals {
  return {
    conversations: sums.conversations,
    resolved: sums.resolved,
    resolvedAfterApproval: sums.resolvedAfterApproval,
    handedOff: sums.handedOff,
    fallback: sums.fallback,
    failed: sums.failed,
    escalated: sums.escalated,
    resolutionRate: ratio(sums.resolved + sums.resolvedAfterApproval, sums.conversations),
    escalationRate: ratio(sums.escalated, sums.conversations),
    meanHandlingMs: mean(sums.handlingMs, sums.conversations),
    meanQualityScore: sums.qualityCount > 0 ? sums.qualitySumMicros / sums.qualityCount / 1_000_000 : null,
    llm: { calls: sums.llmCalls, cachedCalls: sums.llmCachedCalls, promptTokens: sums.promptTokens, completionTokens: sums.completionTokens },
  };
}

/** Every bucket of the range, oldest first; a minute range without rows is a bucket of zeros (pure). */
export function denseSeries(range: WindowRange, rows: readonly { readonly start: Date; readonly sums: Sums }[]): OverviewBucket[] {
  const byStart = new Map(rows.map((row) => [row.start.getTime(), row.sums]));
  return bucketStarts(range).map((start) => {
    const sums = byStart.get(start.getTime()) ?? sumsOf(undefined);
    return {
      start: start.toISOString(),
      conversations: sums.conversations,
      resolved: sums.resolved,
      resolvedAfterApproval: sums.resolvedAfterApproval,
      handedOff: sums.handedOff,
      fallback: sums.fallback,
      failed: sums.failed,
      escalated: sums.escalated,
      meanHandlingMs: mean(sums.handlingMs, sums.conversations),
    };
  });
}

export function costOf(row: CostRow): OverviewCost {
  const conversations = Number(row.conversations);
  const total = BigInt(row.cost_micros);
  return {
    currency: row.currency,
    conversations,
    total: moneyAmount(total, row.currency),
    perConversation: conversations > 0 ? moneyAmount(perUnit(total, BigInt(conversations)), row.currency) : null,
    llm: moneyAmount(BigInt(row.llm_cost_micros), row.currency),
  };
}

export function createAnalyticsOverview(pool: pg.Pool): AnalyticsOverview {
  return {
    async read(tenantId, range) {
      const step = `${range.stepMs / 1000} seconds`;
      const [series, costs] = await Promise.all([
        pool.query<SeriesRow>(SERIES_SQL, [tenantId, step, range.from, range.to]),
        pool.query<CostRow>(COSTS_SQL, [tenantId, range.from, range.to]),
      ]);
      const total = series.rows.find((row) => row.bucket === null);
      const buckets = series.rows.flatMap((row) => (row.bucket === null ? [] : [{ start: row.bucket, sums: sumsOf(row) }]));
      return { totals: totalsOf(sumsOf(total)), series: denseSeries(range, buckets), costs: costs.rows.map(costOf) };
    },
  };
}
