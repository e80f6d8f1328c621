import { quoteIdentifier, type Queryable } from '@supportstream/db';
import { READ_MODEL_TABLE_NAMES, type ReadModelTable } from './schema.js';

export interface TableChecksum {
  readonly rows: number;
  readonly md5: string;
}
export type ReadModelChecksums = Record<ReadModelTable, TableChecksum>;

/** Columns that record how an instance got there rather than what the log says: left out. */
const EXCLUDED_COLUMNS: Partial<Record<ReadModelTable, readonly string[]>> = { conversation_events: ['seq'] };

/**
 * A checksum per table: md5 over every row's text, in primary-key order. Two read models built
 * from the same log (up to the same offsets) have equal checksums; the stream position `seq` is
 * left out because it records arrival order, which differs between a live service and a rebuild.
 */
export async function readModelChecksums(db: Queryable, schema: string): Promise<ReadModelChecksums> {
  const result = {} as Record<ReadModelTable, TableChecksum>;
  for (const table of READ_MODEL_TABLE_NAMES) {
    const meta = await db.query<{ columns: string[]; keys: string[] }>(
      `SELECT array(SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position) AS columns,
              array(SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                     WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)) AS keys`,
      [schema, table],
    );
    const { columns = [], keys = [] } = meta.rows[0] ?? {};
    const kept = columns.filter((column) => !(EXCLUDED_COLUMNS[table] ?? []).includes(column)).map((column) => `"${column}"`);
    const order = keys.map((column) => `"${column}"`).join(', ');
    const sums = await db.query<{ rows: string; md5: string | null }>(
      `SELECT count(*)::text AS rows, md5(string_agg(md5(row(${kept.join(', ')})::text), '' ORDER BY ${order})) AS md5 FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)}`,
    );
    const row = sums.rows[0];
    result[table] = { rows: Number(row?.rows ?? 0), md5: row?.md5 ?? md5OfNothing };
  }
  return result;
}

const md5OfNothing = 'd41d8cd98f00b204e9800998ecf8427e';

export interface ChecksumComparison {
  readonly equal: boolean;
  readonly tables: readonly { readonly table: ReadModelTable; readonly live: TableChecksum; readonly rebuilt: TableChecksum; readonly equal: boolean }[];
}

export function compareChecksums(live: ReadModelChecksums, rebuilt: ReadModelChecksums): ChecksumComparison {
  const tables = READ_MODEL_TABLE_NAMES.map((table) => ({ table, live: live[table], rebuilt: rebuilt[table], equal: live[table].md5 === rebuilt[table].md5 && live[table].rows === rebuilt[table].rows }));
  return { equal: tables.every((table) => table.equal), tables };
}
