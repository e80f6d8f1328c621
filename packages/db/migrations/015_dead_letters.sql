-- 015_dead_letters: the ledger of dead-letter replays (packages/kafka deadLetters/, used by
-- `supportstream dlq replay` and the gateway's POST /v1/admin/dead-letters/…/replay). One row per
-- DLQ record ever replayed, keyed by its position, so a record goes back to its topic once.
-- Names are unqualified: the runner sets search_path when it applies into a given schema.

-- A replay records its intent first (status 'pending', committed), then produces the record to
-- its original topic and publishes DeadLetterReplayed, then marks the row 'done' (in a transaction
-- that holds the row's lock from before the produce, so a concurrent replay waits and then finds
-- it done). A crash in between leaves 'pending': the next replay of the same record completes it.
-- replay_id is derived from the position, so every attempt at one record carries the same id.
CREATE TABLE dead_letter_replays (
  dlq_topic             text        NOT NULL,
  dlq_partition         integer     NOT NULL CHECK (dlq_partition >= 0),
  dlq_offset            bigint      NOT NULL CHECK (dlq_offset >= 0),
  replay_id             text        NOT NULL UNIQUE,
  original_topic        text        NOT NULL,
  original_partition    integer,
  original_offset       bigint,
  -- the tenant read from the record's value; NULL when it does not decode (operators only)
  tenant_id             text,
  error_code            text,
  status                text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  -- who asked first, and who completed it (the same person unless a retry finished a crashed replay)
  requested_by          text        NOT NULL,
  requested_at          timestamptz NOT NULL DEFAULT now(),
  replayed_by           text,
  replayed_at           timestamptz,
  -- where the record was written again, on original_topic
  replayed_to_partition integer,
  replayed_to_offset    bigint,
  -- the id of the DeadLetterReplayed event
  event_id              text,
  PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset),
  CHECK (status = 'pending' OR (replayed_at IS NOT NULL AND replayed_to_partition IS NOT NULL AND replayed_to_offset IS NOT NULL))
);
-- "What did this tenant replay lately", and finding replays left pending by a crash.
CREATE INDEX dead_letter_replays_by_tenant ON dead_letter_replays (tenant_id, requested_at);
CREATE INDEX dead_letter_replays_pending ON dead_letter_replays (requested_at) WHERE status = 'pending';
