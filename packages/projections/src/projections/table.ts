import type { ClientBase } from 'pg';

/**
 * One field table per read-model table: its DDL, the rows the projections evolve and the SQL that
 * loads and writes them are all derived from it, so the three cannot disagree. Column order is the
 * table's (checksums hash rows in that order), so never reorder an existing table's columns.
 */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'double precision' | 'jsonb' | 'timestamptz';

export interface Column {
  readonly type: ColumnType;
  readonly nullable?: boolean;
}

export interface TableSpec<Row> {
  readonly name: string;
  /** Every field of the row, in table order. */
  readonly columns: { readonly [K in keyof Row]-?: Column };
  readonly primaryKey: readonly (keyof Row & string)[];
  /** Columns the database fills (a stream position), placed before the row's own columns. */
  readonly generated?: Readonly<Record<string, string>>;
  readonly indexes?: readonly string[];
}

const column = (type: ColumnType): Column => ({ type });
const nullable = (type: ColumnType): Column => ({ type, nullable: true });
export const columnOf = { text: column('text'), integer: column('integer'), bigint: column('bigint'), timestamptz: column('timestamptz'), jsonb: column('jsonb') } as const;
export const nullableOf = {
  text: nullable('text'),
  integer: nullable('integer'),
  double: nullable('double precision'),
  timestamptz: nullable('timestamptz'),
  jsonb: nullable('jsonb'),
} as const;

const quote = (name: string): string => (/^[a-z_][a-z0-9_]*$/.test(name) && name !== 'offset' ? name : `"${name}"`);
export const columnNames = <Row>(table: TableSpec<Row>): string[] => Object.keys(table.columns);

export function tableDdl<Row>(table: TableSpec<Row>, options: { readonly deferIndexes?: boolean } = {}): string {
  const columns = Object.entries<Column>(table.columns).map(([name, spec]) => `  ${quote(name)} ${spec.type}${spec.nullable ? '' : ' NOT NULL'}`);
  const generated = Object.entries(table.generated ?? {}).map(([name, definition]) => `  ${quote(name)} ${definition}`);
  if (options.deferIndexes) return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${[...generated, ...columns].join(',\n')}\n);`;
  const lines = [...generated, ...columns, `  PRIMARY KEY (${table.primaryKey.map(quote).join(', ')})`];
  return [`CREATE TABLE IF NOT EXISTS ${table.name} (\n${lines.join(',\n')}\n);`, ...(table.indexes ?? []).map((index) => `${index};`)].join('\n');
}

/** What `tableDdl(table, { deferIndexes: true })` left out: the primary key (same name as inline, `<table>_pkey`) and the indexes. */
export function deferredIndexesDdl<Row>(table: TableSpec<Row>): string {
  return [`ALTER TABLE ${table.name} ADD PRIMARY KEY (${table.primaryKey.map(quote).join(', ')});`, ...(table.indexes ?? []).map((index) => `${index};`)].join('\n');
}

/**
 * Rows as evolve sees them: timestamps as ISO strings (comparable as text) and bigints as numbers
 * (counters stay far below 2^53). node-postgres gives Dates and strings for those types.
 */
export function fromDatabase<Row>(table: TableSpec<Row>, stored: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries<Column>(table.columns)) {
    const value = stored[name] ?? null;
    if (value === null) row[name] = null;
    else if (spec.type === 'timestamptz') row[name] = value instanceof Date ? value.toISOString() : new Date(value as string).toISOString();
    else if (spec.type === 'bigint') row[name] = Number(value);
    else row[name] = value;
  }
  return row as Row;
}

const columnList = <Row>(table: TableSpec<Row>): string => columnNames(table).map(quote).join(', ');

/** One statement: the stored rows with these keys, locked (in key order) until commit. */
export async function loadRows<Row>(client: ClientBase, table: TableSpec<Row>, keys: readonly (readonly string[])[]): Promise<Row[]> {
  if (keys.length === 0) return [];
  const [first, ...rest] = table.primaryKey;
  if (first === undefined) throw new Error(`table ${table.name} has no primary key`);
  const order = table.primaryKey.map(quote).join(', ');
  const where =
    rest.length === 0
      ? `${quote(first)} = ANY($1::text[])`
      : `(${order}) IN (SELECT * FROM unnest(${table.primaryKey.map((_, index) => `$${index + 1}::text[]`).join(', ')}))`;
  const parameters = table.primaryKey.map((_, index) => keys.map((key) => key[index]));
  const result = await client.query<Record<string, unknown>>(`SELECT ${columnList(table)} FROM ${table.name} WHERE ${where} ORDER BY ${order} FOR UPDATE`, parameters);
  return result.rows.map((row) => fromDatabase(table, row));
}

export interface UpsertOptions<Row> {
  /**
   * `replace`: the rows are the new values (evolved from the loaded ones); `add`: numeric columns
   * are deltas added to the stored ones; `insert`: new rows only, a stored key is an error (23505).
   */
  readonly mode: 'replace' | 'add' | 'insert';
  /** Columns that are never updated (the key is always left alone). */
  readonly keep?: readonly (keyof Row & string)[];
  /** `RETURNING *`: what was stored, for the cache. */
  readonly returning?: boolean;
}

/**
 * One statement for all rows of a batch: the rows travel as one JSON document, unpacked by the
 * table's own row type (`jsonb_populate_recordset`), written in key order.
 */
export async function upsertRows<Row, Stored = Row>(client: ClientBase, table: TableSpec<Row>, rows: readonly Row[], options: UpsertOptions<Row>): Promise<Stored[]> {
  if (rows.length === 0) return [];
  const columns = columnList(table);
  const fixed = new Set<string>([...table.primaryKey, ...(options.keep ?? [])]);
  const updates = columnNames(table)
    .filter((name) => !fixed.has(name))
    .map((name) => (options.mode === 'add' ? `${quote(name)} = t.${quote(name)} + EXCLUDED.${quote(name)}` : `${quote(name)} = EXCLUDED.${quote(name)}`));
  const result = await client.query<Stored & Record<string, unknown>>(
    `INSERT INTO ${table.name} AS t (${columns})
     SELECT ${columns} FROM jsonb_populate_recordset(null::${table.name}, $1::jsonb) ORDER BY ${table.primaryKey.map(quote).join(', ')}
     ${options.mode === 'insert' ? '' : `ON CONFLICT (${table.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${updates.join(', ')}`}${options.returning ? ' RETURNING *' : ''}`,
    [JSON.stringify(rows)],
  );
  return result.rows;
}
