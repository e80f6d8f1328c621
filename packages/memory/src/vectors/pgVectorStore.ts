import type { Pool, PoolClient } from 'pg';
import { PG_VECTOR_SCHEMA_SQL } from './pgSchema.js';
import { asStoreError, isNotFound, transaction } from './pgSupport.js';
import { VectorIndex } from './vectorIndex.js';
import {
  checkCollectionName,
  checkDimensions,
  checkFilter,
  checkSearchOptions,
  checkVector,
  collectionNotFound,
  dimensionMismatch,
  prepareDocuments,
  type VectorStore,
} from './vectorStore.js';

export interface PgVectorStoreOptions {
  /**
   * How long a replica may answer from its cache before checking the collection's version again
   * (one primary-key lookup). 0, the default, checks before every search.
   */
  readonly refreshIntervalMs?: number;
  /** How long deletes are remembered for replicas to apply incrementally (default one day). */
  readonly deletionRetentionSeconds?: number;
  /** Rows per statement when loading or writing. */
  readonly batchSize?: number;
  readonly now?: () => number;
}

export interface PgVectorStore extends VectorStore {
  /** Creates the sequence and tables if missing (`PG_VECTOR_SCHEMA_SQL`); run by `ensureCollection`. */
  ensureSchema(): Promise<void>;
  /** Removes a collection and its vectors (tests, operations); not part of the port. */
  dropCollection(name: string): Promise<void>;
}

interface Cached {
  index: VectorIndex;
  version: bigint;
  checkedAt: number;
}

interface CollectionRow {
  dimensions: number;
  version: string;
  reset_version: string;
}

/**
 * The embedded default: vectors live in PostgreSQL (which the platform runs anyway), similarity
 * is computed in-process. Each replica loads a collection into a `VectorIndex` on first use and
 * before a search checks the collection's version; when it moved, only rows and deletions with a
 * newer revision are fetched. Several stateless replicas therefore share one
 * store with no extra server. Brute force scales to thousands up to low hundreds of thousands of
 * chunks per collection; beyond that, use Qdrant.
 */
export function pgVectorStore(pool: Pool, options: PgVectorStoreOptions = {}): PgVectorStore {
  const refreshIntervalMs = options.refreshIntervalMs ?? 0;
  const batchSize = options.batchSize ?? 500;
  const deletionRetentionSeconds = options.deletionRetentionSeconds ?? 24 * 3600;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Cached>();
  const refreshing = new Map<string, Promise<Cached>>();
  let schema: Promise<void> | undefined;

  function ensureSchema(): Promise<void> {
    schema ??= transaction(pool, async (client) => {
      // Concurrent CREATE … IF NOT EXISTS can still collide in the catalog; serialise them.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('supportstream.memory_vectors'))`);
      await client.query(PG_VECTOR_SCHEMA_SQL);
    }).catch((error: unknown) => {
      schema = undefined;
      throw error;
    });
    return schema;
  }

  async function collectionRow(db: Pick<Pool, 'query'>, name: string, lock = false): Promise<CollectionRow> {
    const result = await db.query<CollectionRow>(
      `SELECT dimensions, version::text AS version, reset_version::text AS reset_version FROM memory_vector_collections WHERE name = $1${lock ? ' FOR UPDATE' : ''}`,
      [name],
    );
    const row = result.rows[0];
    if (row === undefined) throw collectionNotFound(name);
    return row;
  }

  /** Brings this replica's copy of the collection up to date; concurrent callers share one load. */
  function fresh(name: string): Promise<Cached> {
    checkCollectionName(name);
    const cached = cache.get(name);
    if (cached !== undefined && now() - cached.checkedAt < refreshIntervalMs) return Promise.resolve(cached);
    let pending = refreshing.get(name);
    if (pending === undefined) {
      pending = refresh(name, cached).finally(() => refreshing.delete(name));
      refreshing.set(name, pending);
    }
    return pending;
  }

  async function refresh(name: string, cached: Cached | undefined): Promise<Cached> {
    const checkedAt = now();
    let head: CollectionRow;
    try {
      head = await collectionRow(pool, name);
    } catch (error) {
      if (isNotFound(error)) cache.delete(name);
      throw asStoreError(error, name);
    }
    if (cached !== undefined && BigInt(head.version) === cached.version && head.dimensions === cached.index.dimensions) {
      cached.checkedAt = checkedAt;
      return cached;
    }
    // One REPEATABLE READ snapshot: the version read and the rows paged through agree.
    const next = await transaction(
      pool,
      async (client) => {
        const row = await collectionRow(client, name);
        const version = BigInt(row.version);
        const incremental = cached !== undefined && cached.index.dimensions === row.dimensions && BigInt(row.reset_version) <= cached.version;
        const index = incremental ? cached.index : new VectorIndex(row.dimensions, 1024);
        // Keyset pages over (revision, id), served by memory_vectors_changes_idx; a full load is
        // the same walk from revision 0. array_to_string parses several times faster than the
        // driver's real[] parser.
        const since = incremental ? cached.version : -1n;
        const changed = new Map<string, bigint>();
        let cursor: [string, string] = [(since + 1n).toString(), ''];
        for (;;) {
          // (The text alias must not be called `revision`: ORDER BY would sort by it, as text.)
          const page = await client.query<{ id: string; rev: string; vector: string; payload: Record<string, unknown> }>(
            `SELECT id, revision::text AS rev, array_to_string(vector, ',') AS vector, payload FROM memory_vectors
              WHERE collection = $1 AND (revision, id) > ($2::bigint, $3) ORDER BY revision, id LIMIT $4`,
            [name, cursor[0], cursor[1], batchSize],
          );
          for (const doc of page.rows) {
            index.set(doc.id, doc.vector.split(',').map(Number), doc.payload);
            changed.set(doc.id, BigInt(doc.rev));
          }
          const last = page.rows.at(-1);
          if (last === undefined || page.rows.length < batchSize) break;
          cursor = [last.rev, last.id];
        }
        if (incremental) {
          const deletions = await client.query<{ id: string; rev: string }>(
            'SELECT id, revision::text AS rev FROM memory_vector_deletions WHERE collection = $1 AND revision > $2',
            [name, since.toString()],
          );
          // A document deleted and then written again is alive: its row's revision is newer.
          for (const { id, rev } of deletions.rows) if ((changed.get(id) ?? -1n) < BigInt(rev)) index.remove(id);
        }
        return { index, version, checkedAt };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    ).catch((error: unknown) => {
      if (isNotFound(error)) cache.delete(name);
      throw asStoreError(error, name);
    });
    cache.set(name, next);
    return next;
  }

  async function write(name: string, work: (client: PoolClient, dimensions: number) => Promise<void>): Promise<void> {
    checkCollectionName(name);
    try {
      await transaction(pool, async (client) => {
        const row = await collectionRow(client, name, true);
        await work(client, row.dimensions);
      });
    } catch (error) {
      throw asStoreError(error, name);
    }
  }

  return {
    ensureSchema,

    async ensureCollection(name, dimensions) {
      checkCollectionName(name);
      checkDimensions(dimensions);
      await ensureSchema();
      try {
        await pool.query(
          `INSERT INTO memory_vector_collections (name, dimensions, version, reset_version)
           SELECT $1, $2, v, v FROM nextval('memory_vector_versions') AS v
           ON CONFLICT (name) DO NOTHING`,
          [name, dimensions],
        );
        const row = await collectionRow(pool, name);
        if (row.dimensions !== dimensions) throw dimensionMismatch(name, row.dimensions, dimensions);
      } catch (error) {
        throw asStoreError(error, name);
      }
    },

    async upsert(name, docs) {
      await write(name, async (client, dimensions) => {
        const prepared = prepareDocuments(name, docs, dimensions);
        if (prepared.length === 0) return;
        const { rows } = await client.query<{ version: string }>(
          `UPDATE memory_vector_collections SET version = nextval('memory_vector_versions') WHERE name = $1 RETURNING version::text AS version`,
          [name],
        );
        const revision = rows[0]!.version;
        for (let start = 0; start < prepared.length; start += batchSize) {
          const batch = prepared.slice(start, start + batchSize);
          const params: unknown[] = [name, revision];
          const values = batch.map((doc) => {
            params.push(doc.id, [...doc.vector], JSON.stringify(doc.payload));
            const at = params.length;
            return `($1, $${at - 2}, $${at - 1}::real[], $${at}::jsonb, $2, clock_timestamp())`;
          });
          await client.query(
            `INSERT INTO memory_vectors (collection, id, vector, payload, revision, updated_at) VALUES ${values.join(', ')}
             ON CONFLICT (collection, id) DO UPDATE
               SET vector = EXCLUDED.vector, payload = EXCLUDED.payload, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at`,
            params,
          );
        }
      });
    },

    async search(name, vector, searchOptions) {
      checkSearchOptions(searchOptions);
      const { index } = await fresh(name);
      checkVector(name, vector, index.dimensions);
      return index.search(vector, searchOptions.limit, searchOptions.filter, searchOptions.minScore);
    },

    async delete(name, ids) {
      await write(name, async (client) => {
        if (ids.length === 0) return;
        const deleted = await client.query<{ id: string }>('DELETE FROM memory_vectors WHERE collection = $1 AND id = ANY($2::text[]) RETURNING id', [
          name,
          [...ids],
        ]);
        if (deleted.rows.length === 0) return;
        const { rows } = await client.query<{ version: string }>(
          `UPDATE memory_vector_collections SET version = nextval('memory_vector_versions') WHERE name = $1 RETURNING version::text AS version`,
          [name],
        );
        await client.query('INSERT INTO memory_vector_deletions (collection, revision, id) SELECT $1, $2, unnest($3::text[])', [
          name,
          rows[0]!.version,
          deleted.rows.map((row) => row.id),
        ]);
        // Forget old deletions; a replica whose cache predates them reloads instead.
        await client.query(
          `WITH purged AS (
             DELETE FROM memory_vector_deletions WHERE collection = $1 AND deleted_at < now() - make_interval(secs => $2) RETURNING revision
           )
           UPDATE memory_vector_collections SET reset_version = GREATEST(reset_version, (SELECT max(revision) FROM purged))
            WHERE name = $1 AND EXISTS (SELECT 1 FROM purged)`,
          [name, deletionRetentionSeconds],
        );
      });
    },

    async list(name, listOptions = {}) {
      checkFilter(listOptions.filter);
      const { index } = await fresh(name);
      return index.list(listOptions.filter);
    },

    async dropCollection(name) {
      checkCollectionName(name);
      await ensureSchema();
      try {
        await pool.query('DELETE FROM memory_vector_collections WHERE name = $1', [name]);
      } catch (error) {
        throw asStoreError(error, name);
      }
      cache.delete(name);
    },
  };
}
