import type { EventType, SupportEvent } from '@supportstream/events';
import type { TableSpec } from './table.js';

/** A decoded event and where it sits in the log. */
export interface ProjectedEvent {
  readonly event: SupportEvent;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly schemaId: number;
}

/**
 * A read model kept as one row per key: its field table, the event types it reads, the row an
 * event changes, and a pure evolve that returns a new row (or the same one when nothing changes).
 */
export interface RowProjection<Row, Handled extends EventType = EventType> {
  readonly table: TableSpec<Row>;
  readonly canHandle: ReadonlySet<EventType>;
  keyOf(event: SupportEvent<Handled>): readonly string[];
  evolve(row: Row | null, event: SupportEvent<Handled>): Row;
}

export const keyString = (key: readonly string[]): string => key.join('\u0000');

/** The events a projection reads, typed as what its evolve takes (checked against `canHandle`). */
function handled<Row, Handled extends EventType>(projection: RowProjection<Row, Handled>, events: readonly SupportEvent[]): SupportEvent<Handled>[] {
  return events.filter((event) => projection.canHandle.has(event.type)) as SupportEvent<Handled>[];
}

/**
 * Folds events into rows, starting from `current` (the stored rows, by `keyString`): returns the
 * rows that changed, in key order, so every transaction writes (and locks) rows in the same order.
 */
export function foldRows<Row, Handled extends EventType>(projection: RowProjection<Row, Handled>, current: ReadonlyMap<string, Row>, events: readonly SupportEvent[]): Row[] {
  const rows = new Map(current);
  const changed = new Set<string>();
  for (const event of handled(projection, events)) {
    const key = keyString(projection.keyOf(event));
    const before = rows.get(key) ?? null;
    const after = projection.evolve(before, event);
    if (after !== before) {
      rows.set(key, after);
      changed.add(key);
    }
  }
  return [...changed].sort().map((key) => rows.get(key) as Row);
}

/** The distinct keys of the rows these events change, sorted. */
export function keysOf<Row, Handled extends EventType>(projection: RowProjection<Row, Handled>, events: readonly SupportEvent[]): string[][] {
  const keys = new Map<string, readonly string[]>();
  for (const event of handled(projection, events)) {
    const key = projection.keyOf(event);
    keys.set(keyString(key), key);
  }
  return [...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, key]) => [...key]);
}

/** A key as stored in a row, for matching loaded rows with the keys asked for. */
export function rowKey<Row>(table: TableSpec<Row>, row: Row): string {
  return keyString(table.primaryKey.map((column) => String(row[column])));
}
