/**
 * DDL of the embedded vector store. `pgVectorStore().ensureSchema()` runs it (idempotent, under an
 * advisory lock so concurrent replicas do not race on CREATE); it is written so that it can move
 * verbatim into a `packages/db/migrations/NNN_memory_vectors.sql` migration.
 *
 * - `version` is the collection's last change. Writers take the collection row's lock
 *   (`SELECT … FOR UPDATE`) before drawing the next value from the sequence, so versions commit in
 *   the order they were drawn, and a replica that has seen version V has seen every row with
 *   `revision <= V`.
 * - Deletes leave a row in `memory_vector_deletions` with their version, so replicas apply them
 *   incrementally too. Entries older than a day are purged by later deletes.
 * - `reset_version` is the newest change a replica can no longer apply incrementally: the
 *   collection's creation, or the newest purged deletion. A replica whose cache is older reloads
 *   the collection.
 */
export const PG_VECTOR_SCHEMA_SQL = `
CREATE SEQUENCE IF NOT EXISTS memory_vector_versions;

CREATE TABLE IF NOT EXISTS memory_vector_collections (
  name          text PRIMARY KEY,
  dimensions    integer NOT NULL CHECK (dimensions > 0),
  version       bigint NOT NULL,
  reset_version bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS memory_vectors (
  collection text NOT NULL REFERENCES memory_vector_collections (name) ON DELETE CASCADE,
  id         text NOT NULL,
  vector     real[] NOT NULL,
  payload    jsonb NOT NULL DEFAULT '{}'::jsonb,
  revision   bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, id)
);

CREATE INDEX IF NOT EXISTS memory_vectors_changes_idx ON memory_vectors (collection, revision, id);

CREATE TABLE IF NOT EXISTS memory_vector_deletions (
  collection text NOT NULL REFERENCES memory_vector_collections (name) ON DELETE CASCADE,
  revision   bigint NOT NULL,
  id         text NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, revision, id)
);
`;
