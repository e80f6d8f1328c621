import type { ClientBase } from 'pg';
import { upsertRows, type TableSpec } from './table.js';

/**
 * Counter rows shared by many conversations (a tenant, an agent node, a model): concurrent batches
 * from other partitions change the same rows, so a batch does not read them. It evolves zero rows
 * with its events and adds them in SQL (`c = t.c + EXCLUDED.c`), which is the same as evolving
 * the stored row, because counters are sums, and loses no concurrent update.
 */
export async function addCounters<Row>(client: ClientBase, table: TableSpec<Row>, deltas: readonly Row[]): Promise<void> {
  await upsertRows(client, table, deltas, { mode: 'add' });
}

export type Counters<Names extends readonly string[]> = { readonly [K in Names[number]]: number };

export const zeroCounters = <Names extends readonly string[]>(names: Names): Counters<Names> => Object.fromEntries(names.map((name) => [name, 0])) as Counters<Names>;
