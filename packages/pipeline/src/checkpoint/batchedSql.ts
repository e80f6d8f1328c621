// SQL of the batched saver: the official saver's statements (sql.js of
// @langchain/langgraph-checkpoint-postgres 1.0.5), same tables and conflict rules, written multi-row.

/** PostgreSQL refuses a statement with more bind parameters than this. */
export const MAX_BIND_PARAMETERS = 65_535;

export interface CheckpointTables {
  readonly checkpoints: string;
  readonly blobs: string;
  readonly writes: string;
}

/** Table names exactly as the official saver spells them (`"schema".table`). */
export function checkpointTables(schema: string): CheckpointTables {
  return { checkpoints: `"${schema}".checkpoints`, blobs: `"${schema}".checkpoint_blobs`, writes: `"${schema}".checkpoint_writes` };
}

/** `($first, $first+1, …)` for `rows` rows of `width` parameters each, after `shared` leading ones. */
function valuesRows(rows: number, width: number, firstParam: number, shared: readonly string[]): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r += 1) {
    const own = Array.from({ length: width }, (_, c) => `$${firstParam + r * width + c}`);
    out.push(`(${[...shared, ...own].join(', ')})`);
  }
  return out.join(', ');
}

/** Parameters per blob row; thread id and namespace are shared ($1, $2). */
export const BLOB_ROW_PARAMS = 4;
/** Parameters per write row; thread, namespace, checkpoint and task are shared ($1..$4). */
export const WRITE_ROW_PARAMS = 4;

const UPSERT_CHECKPOINT = (tables: CheckpointTables) => `INSERT INTO ${tables.checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id)
  DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`;

const INSERT_BLOBS = (tables: CheckpointTables, rows: number, firstParam: number) => `INSERT INTO ${tables.blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
  VALUES ${valuesRows(rows, BLOB_ROW_PARAMS, firstParam, ['$1', '$2'])}
  ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING`;

/**
 * One statement for a whole put: the changed blobs in a data-modifying CTE, then the checkpoint row.
 * Params: $1 thread, $2 ns, $3 id, $4 parent, $5 checkpoint, $6 metadata, then 4 per blob
 * (channel, version, type, blob). A single statement is its own transaction: atomic, one round trip.
 * It returns whether the checkpoint row was new and how many blob rows were actually inserted
 * (DO NOTHING skips a (channel, version) already stored), which the scope memo needs to stay exact.
 */
export function putCheckpointSql(tables: CheckpointTables, blobRows: number): string {
  const returning = `RETURNING (xmax = 0) AS inserted`;
  if (blobRows === 0) return `${UPSERT_CHECKPOINT(tables)}\n  ${returning}, 0 AS blobs_inserted`;
  return `WITH blobs AS (\n  ${INSERT_BLOBS(tables, blobRows, 7)}\n  RETURNING 1\n)\n${UPSERT_CHECKPOINT(tables)}\n  ${returning}, (SELECT count(*) FROM blobs)::int AS blobs_inserted`;
}

/** Blob rows alone (params $1 thread, $2 ns, then 4 per blob): for a put too large for one statement. */
export function insertBlobsSql(tables: CheckpointTables, blobRows: number): string {
  return INSERT_BLOBS(tables, blobRows, 3);
}

/** The checkpoint row alone ($1..$6 as in putCheckpointSql). */
export function upsertCheckpointSql(tables: CheckpointTables): string {
  return `${UPSERT_CHECKPOINT(tables)}\n  RETURNING (xmax = 0) AS inserted, 0 AS blobs_inserted`;
}

/**
 * Writes of one task, multi-row. Params: $1 thread, $2 ns, $3 checkpoint, $4 task, then 4 per write
 * (idx, channel, type, blob). `upsert` as the official UPSERT_CHECKPOINT_WRITES_SQL (a special channel
 * replaces what is stored), otherwise INSERT_CHECKPOINT_WRITES_SQL (first write kept).
 */
export function putWritesSql(tables: CheckpointTables, rows: number, upsert: boolean): string {
  const conflict = upsert
    ? 'DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob'
    : 'DO NOTHING';
  return `INSERT INTO ${tables.writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
  VALUES ${valuesRows(rows, WRITE_ROW_PARAMS, 5, ['$1', '$2', '$3', '$4'])}
  ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${conflict}
  RETURNING 1`;
}

/** A thread's rows in all three tables, in one statement (the official saver uses three in BEGIN/COMMIT). */
export function deleteThreadSql(tables: CheckpointTables): string {
  return `WITH b AS (DELETE FROM ${tables.blobs} WHERE thread_id = $1), w AS (DELETE FROM ${tables.writes} WHERE thread_id = $1)
  DELETE FROM ${tables.checkpoints} WHERE thread_id = $1`;
}

/** Splits `items` so that `shared + width * chunk.length` never exceeds the bind-parameter limit. */
export function chunked<T>(items: readonly T[], width: number, shared: number, limit = MAX_BIND_PARAMETERS): T[][] {
  const size = Math.max(1, Math.floor((limit - shared) / width));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
