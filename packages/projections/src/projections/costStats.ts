import type { SupportEvent } from '@supportstream/events';
import type { RowProjection } from './projection.js';
import { columnOf, type TableSpec } from './table.js';

export interface CostStatsRow {
  readonly tenant_id: string;
  readonly model: string;
  readonly currency: string;
  readonly calls: number;
  readonly cost_micros: number;
}
type CostEvent = SupportEvent<'LlmUsage'>;

export const costStatsTable: TableSpec<CostStatsRow> = {
  name: 'cost_stats',
  columns: { tenant_id: columnOf.text, model: columnOf.text, currency: columnOf.text, calls: columnOf.bigint, cost_micros: columnOf.bigint },
  primaryKey: ['tenant_id', 'model', 'currency'],
};

/** Pure: a tenant's model calls and their cost (integer micros, so sums do not depend on order) after one call. */
export function evolveCostStats(current: CostStatsRow | null, event: CostEvent): CostStatsRow {
  const row = current ?? { tenant_id: event.metadata.tenantId, model: event.data.model, currency: event.data.cost.currency, calls: 0, cost_micros: 0 };
  return { ...row, calls: row.calls + 1, cost_micros: row.cost_micros + event.data.cost.amountMicros };
}

export const costStatsProjection: RowProjection<CostStatsRow, CostEvent['type']> = {
  table: costStatsTable,
  canHandle: new Set<CostEvent['type']>(['LlmUsage']),
  keyOf: (event) => [event.metadata.tenantId, event.data.model, event.data.cost.currency],
  evolve: evolveCostStats,
};
